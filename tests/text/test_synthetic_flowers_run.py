"""A tiny run of the t2i-synthetic-flowers preset: its grids are colour images (RGB, the
channels differ), its caption cells likewise, and `ganforge evaluate` reports FD in the
flowers evaluator's features with species and attribute alignment, each beside its chance
level and the real images' score."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from ganforge.cli import main


@pytest.fixture(scope="module")
def tiny_run(synthetic_flowers, tmp_path_factory):
    from ganforge.config import resolve_config
    from ganforge.training.run import train

    out = tmp_path_factory.mktemp("synthetic-run") / "run"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(out.parent / "cache"))
        settings = {"data_dir": str(synthetic_flowers.parent), "text_encoder": "hashing",
                    "width": "4", "text_proj": "8", "latent_dim": "8", "batch_size": "8",
                    "limit": "16", "epochs": "1", "eval_every": "0", "log_every": "1"}
        train(resolve_config("t2i-synthetic-flowers", overrides=settings), out, progress=False)
    return out


def _colour(path) -> np.ndarray:
    with Image.open(path) as image:
        assert image.mode == "RGB", path
        pixels = np.asarray(image).astype(int)
    assert (pixels[..., 0] != pixels[..., 1]).mean() > 0.2  # colour, not grey in 3 channels
    assert (pixels[..., 1] != pixels[..., 2]).mean() > 0.2
    return pixels


def test_sample_grid_and_caption_cells_are_rgb_colour(tiny_run):
    grid = _colour(tiny_run / "samples" / "epoch_001.png")
    assert grid.shape[0] >= 5 * 64 and grid.shape[1] >= 5 * 64  # 5x5 cells of 64x64
    cells = json.loads((tiny_run / "captions.json").read_text())
    assert len(cells) == 25 and all(c["caption"] for c in cells)
    assert _colour(tiny_run / cells[0]["image"]).shape == (64, 64, 3)
    with Image.open(tiny_run / "progress.gif") as gif:
        frame = np.asarray(gif.convert("RGB")).astype(int)
    assert frame.shape[1] >= 5 * 64 and (frame[..., 0] != frame[..., 1]).mean() > 0.2


def test_evaluate_reports_fd_and_alignment_beside_chance_and_real(tiny_run, capsys,
                                                                  monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tiny_run.parent / "cache"))
    assert main(["evaluate", str(tiny_run), "--n", "60"]) == 0
    out = capsys.readouterr().out
    assert "FD (evaluator features)" in out and "synthetic-flowers" in out
    assert "class alignment (60 held-out captions)" in out and "chance 0.010" in out
    assert "real images" in out and "attribute alignment: all" in out
    assert "petal_colour" in out and "chance 0.143" in out
    result = json.loads((tiny_run / "eval.json").read_text())
    assert result["evaluator"] == "synthetic-flowers" and result["n"] == 60
    assert result["metrics"]["fd"] > result["real"]["fd"] >= 0
    real = result["alignment"]["real"]
    assert real["class"] > 0.9 and real["attributes"]["all"] > 0.9
    attributes = result["alignment"]["attributes"]
    assert set(attributes) >= {"petal_colour", "petal_colour_n", "petal_colour_chance", "all"}
    # No phrasing states all four attributes of a species: a third is the best a caption allows
    assert 0.2 < result["alignment"]["class_ceiling"] < 0.5
    assert "class_ceiling" not in real  # a bound on generators, not a figure of the images
    assert "from what the captions state" in out


def test_evaluate_on_captions_never_seen_in_training(tiny_run, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tiny_run.parent / "cache"))
    assert main(["evaluate", str(tiny_run), "--n", "60", "--captions", "unseen"]) == 0
    out = capsys.readouterr().out
    assert "captions never seen in training (60 of each kind)" in out
    assert "new word orders" in out and "new combinations" in out
    assert "real images on the new word orders" in out
    result = json.loads((tiny_run / "eval.json").read_text())
    unseen, held = result["unseen"], result["alignment"]
    assert held["captions"] == 60 and unseen["captions"] == 60  # held-out figures stay
    orders, combos = unseen["new_orders"], unseen["new_combinations"]
    assert orders["real"]["attributes"]["all"] > 0.9 and orders["real"]["class"] > 0.9
    assert "class" not in combos and "real" not in combos and combos["pairs"]
    for kind in (orders, combos):
        assert kind["attributes"]["all_n"] > 60 and 0 <= kind["attributes"]["all"] <= 1
        assert kind["ratio"]["all"] == pytest.approx(
            kind["attributes"]["all"] / held["attributes"]["all"])
    assert set(orders["ratio"]) >= {"class", "petal_colour", "all"}
    assert 0.2 < orders["class_ceiling"] < 0.6 and "class_ceiling" not in combos
    whole = unseen["whole_species"]  # all four species attributes: one species per caption
    assert "whole species" in out and whole["class_ceiling"] == 1.0
    assert whole["real"]["class"] > 0.9 and whole["attributes"]["all_n"] == 4 * 60
    assert "size" not in whole["attributes"] and 0 <= whole["class"] <= 1
    words = unseen["new_words"]  # the set's own phrasings, said with held-out words
    assert "new words" in out and "bloom" in words["words"] and len(words["examples"]) == 5
    assert words["real"]["class"] > 0.9 and words["real"]["attributes"]["all"] > 0.9
    assert words["ratio"]["all"] == pytest.approx(
        words["attributes"]["all"] / held["attributes"]["all"])


def test_report_and_web_service_show_the_captions_and_colour(tiny_run, monkeypatch):
    import base64
    import io
    import re

    from ganforge.serve.assembly import load_service
    from ganforge.serve.png import grid_png

    monkeypatch.setenv("XDG_CACHE_HOME", str(tiny_run.parent / "cache"))
    assert main(["report", str(tiny_run)]) == 0
    page = (tiny_run / "report.html").read_text()
    first = json.loads((tiny_run / "captions.json").read_text())[0]["caption"]
    captions = page[page.index(">Captions<"):]
    assert first in captions
    cell = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", captions)  # the first cell
    _colour(io.BytesIO(base64.b64decode(cell.group(1))))
    service = load_service(tiny_run)
    images = service.generate(4, seed=0, caption="a large flower with many thin red petals")
    assert tuple(images.shape) == (4, 3, 64, 64)
    _colour(io.BytesIO(grid_png(images, nrow=2)))


def test_recombination_term_trains_end_to_end(synthetic_flowers, tmp_path, monkeypatch):
    from ganforge.config import resolve_config
    from ganforge.training.run import train

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    settings = {"data_dir": str(synthetic_flowers.parent), "text_encoder": "hashing",
                "width": "4", "text_proj": "8", "latent_dim": "8", "batch_size": "8",
                "limit": "16", "epochs": "1", "eval_every": "0", "log_every": "1",
                "recombine_weight": "1"}
    train(resolve_config("t2i-synthetic-flowers", overrides=settings), tmp_path / "run",
          progress=False)
    lines = (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 2 and all(np.isfinite(r["g_loss"]) for r in records)
    assert "recombine_weight = 1.0" in (tmp_path / "run" / "config.toml").read_text()


def test_polar_channels_train_and_sample_from_the_saved_config(synthetic_flowers, tmp_path,
                                                                monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    run = tmp_path / "run"
    args = ["train", "--preset", "t2i-synthetic-flowers", "--data-dir",
            str(synthetic_flowers.parent), "--text-encoder", "hashing", "--width", "4",
            "--text-proj", "8", "--latent-dim", "8", "--batch-size", "8", "--limit", "16",
            "--epochs", "1", "--eval-every", "0", "--polar-harmonics", "3", "--polar-in",
            "g+d", "--out", str(run)]
    assert main(args) == 0
    assert 'polar_in = "g+d"' in (run / "config.toml").read_text()
    out = tmp_path / "flower.png"
    assert main(["generate", str(run), "this flower has five red petals", "-n", "4",
                 "--out", str(out)]) == 0
    pixels = _colour(out)
    assert pixels.shape[0] >= 2 * 64 and pixels.shape[1] >= 2 * 64  # 4 cells of 64x64
