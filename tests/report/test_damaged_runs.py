"""A run folder damaged by hand: a sample grid cut short, emptied or replaced by a folder is
left out with a warning line naming it (report, compare and training's progress GIF go on);
a metrics.jsonl record of the wrong value types is one line naming the file and line."""

import json
import shutil

import pytest
from PIL import Image

from ganforge.cli import main
from ganforge.errors import DataError
from ganforge.runs.folder import RunFolder, read_records
from tests.report.conftest import parse_page


def _damage(run, how: str) -> str:
    """Damage one grid of `run` (3 epochs); return the damaged grid's name."""
    samples = run / "samples"
    if how == "truncated":
        data = (samples / "epoch_001.png").read_bytes()
        (samples / "epoch_001.png").write_bytes(data[:500])
        return "epoch_001.png"
    if how == "empty":
        (samples / "epoch_003.png").write_bytes(b"")
        return "epoch_003.png"
    (samples / "epoch_009.png").mkdir()
    return "epoch_009.png"


@pytest.fixture
def copy(mlp_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(mlp_run, run, ignore=shutil.ignore_patterns("report.html"))
    return run


def _warned(capsys, name: str) -> None:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and name in err[0] and err[0].startswith("warning: "), err


@pytest.mark.parametrize("how", ["truncated", "empty", "folder"])
def test_report_leaves_out_an_unreadable_grid(copy, capsys, how):
    (copy / "progress.gif").unlink()  # drawn from the grids, as while training
    name = _damage(copy, how)
    assert main(["report", str(copy)]) == 0
    _warned(capsys, name)
    page = parse_page(copy / "report.html")
    assert any(f"{name} left out" in t for t in page.text)
    assert page.images("progress") and page.images("grid")


@pytest.mark.parametrize("how", ["truncated", "empty", "folder"])
def test_compare_leaves_out_an_unreadable_grid(copy, mlp_run, tmp_path, capsys, how):
    name = _damage(copy, how)
    out = tmp_path / "cmp"
    assert main(["compare", str(copy), str(mlp_run), "--out", str(out)]) == 0
    _warned(capsys, name)
    with Image.open(out / "compare.gif") as gif:
        assert gif.n_frames == 3  # every epoch still has a grid in the other run
    assert (out / "compare.html").stat().st_size > 0


def test_report_redraws_a_damaged_gif_and_names_an_unreadable_caption_image(rich_run,
                                                                            tmp_path):
    run = tmp_path / "rich"
    shutil.copytree(rich_run, run)
    (run / "progress.gif").write_bytes(b"")
    (run / "samples" / "captions_001.png").write_bytes(b"")
    assert main(["report", str(run)]) == 0
    page = parse_page(run / "report.html")
    assert "(image unreadable: captions_001.png, an empty file)" in page.text
    assert len(page.images("caption")) == 2 and page.images("progress")


def test_training_finishes_with_a_damaged_grid_left_out_of_the_gif(copy, capsys):
    _damage(copy, "truncated")
    _damage(copy, "folder")
    assert main(["train", "--resume", str(copy), "--epochs", "4", "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "epoch_001.png: damaged or not an image; left out of progress.gif" in err
    assert "epoch_009.png: a folder, not an image; left out of progress.gif" in err
    with Image.open(copy / "progress.gif") as gif:
        assert gif.n_frames == 3  # epochs 2, 3 and the new 4
    assert (copy / "samples" / "epoch_009.png").is_dir()  # the user's folder is left alone


def test_finish_without_any_readable_grid_draws_no_gif(copy):
    for grid in (copy / "samples").glob("epoch_*.png"):
        grid.write_bytes(b"")
    (copy / "progress.gif").unlink()
    RunFolder(copy).finish()
    assert not (copy / "progress.gif").exists() and (copy / "losses.png").is_file()


BAD_RECORDS = [
    ({"kind": "step", "step": "x", "epoch": 1, "d_loss": 1, "g_loss": 1, "d_real": 0.5,
      "d_fake": 0.5}, "'step' must be a whole number or null, not \"x\""),
    ({"kind": "step", "step": 13, "epoch": 4, "d_loss": {"a": 1}, "g_loss": 1},
     "'d_loss' must be a number or null, not an object"),
    ({"kind": "eval", "step": 13, "epoch": [4], "fd": 1.0}, "'epoch' must be a whole number"),
    ({"kind": 3, "step": 13}, "'kind' must be a string or null, not 3"),
    ({"step": 13.5, "g_loss": 1}, "'step' must be a whole number or null, not 13.5"),
    ({"step": 13, "g_loss": True}, "'g_loss' must be a number or null, not true"),
]


@pytest.mark.parametrize("record,fragment", BAD_RECORDS)
@pytest.mark.parametrize("command", ["report", "compare"])
def test_a_record_of_wrong_types_is_one_line_naming_file_and_line(copy, mlp_run, tmp_path,
                                                                  capsys, record, fragment,
                                                                  command):
    lines = (copy / "metrics.jsonl").read_text().count("\n")
    with open(copy / "metrics.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
    argv = ["report", str(copy)] if command == "report" else \
        ["compare", str(mlp_run), str(copy), "--out", str(tmp_path / "cmp")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0], err
    assert err[0].startswith(f"ganforge: error: {copy / 'metrics.jsonl'}:{lines + 1}: ")
    assert not (copy / "report.html").exists()


def test_null_and_non_finite_statistics_and_text_in_evaluations_are_read(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_text('{"kind": "step", "step": 1, "epoch": 1, "d_loss": null, "g_loss": NaN}\n'
                    '{"kind": "eval", "step": 1, "epoch": 1, "fd": "n/a", "note": {"a": 1}}\n'
                    '{"step": null, "epoch": null}\n')
    assert len(read_records(path)) == 3
    path.write_text('{"step": 1}\n{"step": false}\n')
    with pytest.raises(DataError, match=r"metrics.jsonl:2: 'step' must be a whole number"):
        read_records(path)


def test_report_shows_the_last_evaluate_and_leaves_out_a_damaged_one(copy, capsys):
    """eval.json (what `ganforge evaluate` writes) is shown with its own step, n and seed;
    one that is not an evaluation is left out with a warning line."""
    result = {"checkpoint": "final.json", "step": 4, "n": 200, "seed": 0,
              "metrics": {"fd": 408.664, "coverage": 7, "num_classes": 10},
              "real": {"fd": 26.61, "coverage": 10, "num_classes": 10, "n": 200}}
    (copy / "eval.json").write_text(json.dumps(result))
    assert main(["report", str(copy)]) == 0
    text = " ".join(parse_page(copy / "report.html").text)
    assert "ganforge evaluate (eval.json): step 4, 200 samples, seed 0" in text
    assert "408.664" in text and "26.610" in text and "7/10" in text
    (copy / "eval.json").write_text("[1, 2]")
    capsys.readouterr()
    assert main(["report", str(copy)]) == 0
    _warned(capsys, "eval.json")
    assert "eval.json" not in " ".join(parse_page(copy / "report.html").text)
