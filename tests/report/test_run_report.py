"""`ganforge report`: one self-contained HTML page per run, on tiny real runs."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from PIL import Image

from ganforge.cli import main
from ganforge.errors import ConfigError, DataError
from ganforge.report.metrics import Metric, metric_keys
from ganforge.report.run_data import load_run
from ganforge.report.run_report import write_report
from ganforge.runs.folder import read_records
from tests.report.conftest import CAPTIONS, assert_self_contained, decode_data_uri, parse_page


def _image(attrs) -> Image.Image:
    mime, data = decode_data_uri(attrs["src"])
    image = Image.open(io.BytesIO(data))
    assert image.format.lower() == mime.split("/")[1]
    return image


def test_plain_run_report(mlp_run):
    path = write_report(mlp_run)
    assert path == mlp_run / "report.html"
    page = parse_page(path)
    assert_self_contained(path, page)
    counts = {k: len(page.images(k)) for k in ("progress", "grid", "losses", "metrics", "caption")}
    assert counts == {"progress": 1, "grid": 1, "losses": 1, "metrics": 0, "caption": 0}
    assert len(page.images()) == 3
    gif = _image(page.images("progress")[0])
    assert gif.n_frames == 3  # one frame per epoch
    grid = _image(page.images("grid")[0])
    assert grid.size == (152, 152)
    assert page.images("grid")[0]["width"] == "304"  # small grids shown twice their size
    assert _image(page.images("losses")[0]).size[0] > 300
    text = " ".join(page.text)
    assert "no evaluation records" in text
    assert "mlp-mnist" in text and "last: epoch 3" in text
    assert "[train]" in text and "g_hidden" in text and "32, 64" in text


def test_report_with_evaluation_best_epoch_and_captions(rich_run, tmp_path):
    out = write_report(rich_run, tmp_path / "elsewhere" / "page.html")
    assert out.is_file() and not (rich_run / "report.html").exists()
    page = parse_page(out)
    assert_self_contained(out, page)
    counts = {k: len(page.images(k)) for k in ("progress", "grid", "losses", "metrics", "caption")}
    assert counts == {"progress": 1, "grid": 2, "losses": 1, "metrics": 1, "caption": 3}
    assert _image(page.images("metrics")[0]).size[0] > 500
    text = " ".join(page.text)
    assert "best: epoch 1" in text and "last: epoch 3" in text
    for caption in CAPTIONS:
        assert caption in text  # shown as text ...
    raw = out.read_text()
    assert "&lt;b&gt;five&lt;/b&gt;" in raw and "<b>five</b>" not in raw  # ... never as markup
    headers = [a for a in page.text if a.strip()]
    assert "fd" in headers and "coverage" in headers and "fd_real" not in headers
    assert "120 (real 4.5)" in text and "60 (real 4.5)" in text
    assert "text is ignored" not in text


def test_metric_keys_pair_floors_and_skip_non_numbers():
    evals = [{"kind": "eval", "epoch": 1, "step": 3, "n": 10, "fd": 2.0, "fd_real": 1.0,
              "d_real": 0.5, "coverage": 4, "name": "x", "flag": True},
             {"kind": "eval", "epoch": 2, "step": 6, "kid": 0.1, "kid_real": None}]
    assert metric_keys(evals) == [Metric("fd", "fd_real"), Metric("d_real", None),
                                  Metric("coverage", None), Metric("kid", None)]
    assert metric_keys([]) == []


def test_unfinished_last_line_is_skipped_but_corruption_is_an_error(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_text('{"kind": "step", "step": 1}\n{"kind": "st')
    assert read_records(path) == [{"kind": "step", "step": 1}]
    path.write_text('{"kind": "step", "step": 1}\nnot json\n{"step": 2}\n')
    with pytest.raises(DataError, match=r"metrics.jsonl:2: not a JSON record"):
        read_records(path)


def test_best_equal_to_last_shows_one_grid(mlp_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(mlp_run, run)
    (run / "checkpoints" / "best.json").write_text(json.dumps({"epoch": 3}))
    (run / "progress.gif").unlink()  # as while training: drawn from the grids instead
    page = parse_page(write_report(run))
    assert len(page.images("grid")) == 1
    assert "best and last: epoch 3" in " ".join(page.text)
    assert _image(page.images("progress")[0]).n_frames == 3


def test_bad_run_folders_are_one_line_errors(tmp_path, mlp_run, capsys):
    with pytest.raises(ConfigError, match="no such run folder"):
        load_run(tmp_path / "missing")
    with pytest.raises(ConfigError, match="not a ganforge run folder"):
        load_run(tmp_path)
    (tmp_path / "exported.json").write_text("{}")
    with pytest.raises(ConfigError, match="exported.json: a file, not a run folder"):
        load_run(tmp_path / "exported.json")
    run = tmp_path / "run"
    shutil.copytree(mlp_run, run)
    (run / "captions.json").write_text(json.dumps([{"caption": "x", "image": "../../etc"}]))
    with pytest.raises(DataError, match="entry 0 image '../../etc' is outside the run"):
        load_run(run)
    (run / "captions.json").write_text(json.dumps({"caption": "x"}))
    assert main(["report", str(run)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "captions.json: expected a list" in err[0]


def test_cli_report(mlp_run, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", str(mlp_run), "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    assert len(parse_page(out).images()) == 3


def test_a_text_run_without_records_or_captions_yet(tmp_path):
    run = tmp_path / "flowers"
    (run / "samples").mkdir(parents=True)
    (run / "config.toml").write_text('[data]\ndataset = "flowers102"\n[model]\narch = "t2i"\n')
    Image.new("RGB", (332, 332), (200, 40, 90)).save(run / "samples" / "epoch_001.png")
    page = parse_page(write_report(run))
    text = " ".join(page.text)
    assert "no step records yet" in text and "no evaluation records" in text
    assert "no captions.json in the run folder yet" in text
    assert [a["data-kind"] for a in page.images()] == ["progress", "grid"]
    assert page.images("grid")[0].get("width") is None  # large grids at their own size


def test_the_caption_section_follows_the_models_condition_not_the_data_set(tmp_path):
    run = tmp_path / "plain-on-flowers"  # an unconditional model on a captioned data set
    (run / "samples").mkdir(parents=True)
    (run / "config.toml").write_text('[data]\ndataset = "flowers102"\n[model]\narch = "mlp"\n')
    Image.new("RGB", (64, 64), (200, 40, 90)).save(run / "samples" / "epoch_001.png")
    text = " ".join(parse_page(write_report(run)).text)
    assert "no captions.json" not in text and "Captions" not in text
