"""The run-level commands on runs trained on a folder: `sample --class` with the folder's
class names, `evaluate --dataset` with the run's own folder, the held-out captions of a
text run prepared at the run's size, and a folder changed since the run began (classes
added, images removed) refused in one line on resume and evaluation."""

from __future__ import annotations

import shutil

import pytest

from ganforge.cli import main
from ganforge.metrics import evaluate
from tests.data.folder.conftest import make_folder
from tests.folder_runs import QUICK, last_error

pytestmark = pytest.mark.usefixtures("isolated_cache")


def test_a_folder_class_run_samples_by_name_and_refuses_new_classes(tmp_path, capsys):
    folder = make_folder(tmp_path / "shapes", 24, ("circle", "square"))
    run = tmp_path / "run"
    assert main(["train", "--arch", "cdcgan", "--dataset", str(folder), "--max-steps", "2",
                 "--out", str(run), *QUICK]) == 0
    assert main(["sample", str(run), "-n", "4", "--class", "square",
                 "--out", str(tmp_path / "square.png")]) == 0
    assert (tmp_path / "square.png").stat().st_size > 0
    assert main(["sample", str(run), "-n", "4", "--class", "triangle",
                 "--out", str(tmp_path / "t.png")]) == 2
    assert "known: circle, square" in last_error(capsys)
    for image in sorted((folder / "circle").iterdir())[:4]:
        (folder / "triangle").mkdir(exist_ok=True)
        shutil.copy(image, folder / "triangle" / image.name)
    assert main(["train", "--resume", str(run), "--max-steps", "4", "--no-progress"]) == 2
    error = last_error(capsys)
    assert "the data set has changed since the run began: num classes 3 (the run's: 2)" in error


def test_a_folder_run_is_judged_on_its_own_folder_and_refused_once_it_shrinks(
        tmp_path, capsys):
    folder = make_folder(tmp_path / "pics", 110)
    assert main(["evaluator", "fit", str(folder), "--epochs", "1", "--image-size", "32"]) == 0
    run = tmp_path / "run"
    assert main(["train", "--arch", "dcgan", "--dataset", str(folder), "--max-steps", "2",
                 "--out", str(run), *QUICK]) == 0
    assert main(["evaluate", str(run), "--n", "24", "--dataset", str(folder)]) == 0
    assert "generating 24 samples" in capsys.readouterr().err
    for image in sorted(folder.iterdir())[8:]:
        image.unlink()
    evaluate._FEATURES.clear()  # a new process: nothing kept from the folder as it was
    capsys.readouterr()
    assert main(["evaluate", str(run), "--n", "24"]) == 2
    err = capsys.readouterr().err
    assert "generating" not in err  # refused before any drawing
    assert err.strip().splitlines()[-1].endswith(
        "its test split holds 1 image(s) now, at least 10 are needed to score against it (a "
        "class held out whole keeps its images for training); add images, or restore those the "
        "folder lost, and fit its evaluator again")
    capsys.readouterr()  # training with evaluation on: a note, and the run trains unscored
    assert main(["train", "--arch", "dcgan", "--dataset", str(folder), "--max-steps", "2",
                 "--out", str(tmp_path / "again"), "--width", "4", "--image-size", "32",
                 "--batch-size", "4", "--eval-every", "1", "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "note: no evaluation during training: " in err and "its test split holds 1" in err
    assert (tmp_path / "again" / "checkpoints" / "final.json").is_file()


def test_a_text_run_holds_out_captions_at_its_own_size(tmp_path, capsys):
    folder = make_folder(tmp_path / "shop", 24, captions="jsonl")
    assert main(["train", "--arch", "t2i", "--dataset", str(folder), "--max-steps", "1",
                 "--out", str(tmp_path / "run"), "--width", "4", "--image-size", "28",
                 "--batch-size", "8", "--eval-every", "0", "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "at 28x28" in err and "at 64x64" not in err


def test_sample_by_class_uses_the_names_the_run_was_trained_with(tmp_path, capsys):
    folder = make_folder(tmp_path / "zoo", 24, ("cat", "dog"))
    run = tmp_path / "run"
    assert main(["train", "--arch", "cdcgan", "--dataset", str(folder), "--max-steps", "1",
                 "--out", str(run), *QUICK]) == 0
    (folder / "aardvark").mkdir()  # sorts first: the folder's classes are now shifted
    for image in sorted((folder / "cat").iterdir())[:4]:
        shutil.copy(image, folder / "aardvark" / image.name)
    (folder / "dog").rename(folder / "puppy")

    def grid(*args: str) -> bytes:
        out = tmp_path / "grid.png"
        assert main(["sample", str(run), "-n", "4", "--out", str(out), *args]) == 0
        return out.read_bytes()

    assert grid("--class", "cat") == grid("--class", "0")
    assert grid("--class", "dog") == grid("--class", "1")
    capsys.readouterr()
    assert main(["sample", str(run), "-n", "4", "--class", "2",
                 "--out", str(tmp_path / "x.png")]) == 2
    assert "known: cat, dog" in last_error(capsys)
    shutil.rmtree(folder)  # the names are the run's own: no data set needed to sample
    assert grid("--class", "dog") == grid("--class", "1")
