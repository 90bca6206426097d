"""A run trained on a folder, after training: class folders renamed since are refused on
resume; a folder that moved is named with the way to give it anew (resume, evaluate, before
anything is drawn); the page names a folder without the folders above it; a PNG folder
inside a run's checkpoints/ is refused before it is made; export evaluates with evaluate's
own count; a generator exported elsewhere is found as a run, which the refusal says."""

from __future__ import annotations

import pytest

from ganforge.cli import main
from tests.data.folder.conftest import make_folder
from tests.folder_runs import QUICK, last_error

pytestmark = pytest.mark.usefixtures("isolated_cache")


@pytest.fixture
def zoo_run(tmp_path):
    folder = make_folder(tmp_path / "zoo", 24, ("cat", "dog"))
    run = tmp_path / "run"
    assert main(["train", "--arch", "cdcgan", "--dataset", str(folder), "--max-steps", "2",
                 "--out", str(run), *QUICK]) == 0
    return folder, run


def test_a_renamed_class_folder_is_refused_on_resume(zoo_run, capsys):
    folder, run = zoo_run
    (folder / "cat").rename(folder / "zebra")  # sorted: dog, zebra: label 0 would be dog
    capsys.readouterr()
    assert main(["train", "--resume", str(run), "--max-steps", "4", "--no-progress"]) == 2
    assert "classes have changed since the run began (dog, zebra; the run's: cat, dog)" in \
        last_error(capsys)


def test_a_moved_folder_is_named_with_the_way_to_give_it_anew(zoo_run, tmp_path, capsys):
    folder, run = zoo_run
    folder.rename(tmp_path / "zoo-moved")
    capsys.readouterr()
    assert main(["train", "--resume", str(run), "--max-steps", "4", "--no-progress"]) == 2
    error = last_error(capsys)
    assert f"{folder}: no such folder or archive" in error
    assert f"ganforge train --resume {run} --dataset NEW/PATH" in error
    assert main(["evaluate", str(run), "--n", "20"]) == 2
    captured = capsys.readouterr()
    assert "no such folder or archive" in captured.err and "--dataset NEW/PATH" in captured.err
    assert "generated" not in captured.err  # refused before any sample is drawn


def test_a_png_folder_inside_checkpoints_is_refused_before_it_is_made(zoo_run, capsys):
    _, run = zoo_run
    target = run / "checkpoints" / "sub"
    assert main(["sample", str(run), "-n", "2", "--format", "png-dir",
                 "--out", str(target)]) == 2
    assert "inside the checkpoints/ of run" in last_error(capsys)
    assert not target.exists()


def test_the_page_names_a_folder_without_the_folders_above_it():
    from ganforge.serve.about import shown_name, trained_on

    assert trained_on("/home/someone/photos/zoo") == "It learned from the images in zoo."
    assert shown_name("/home/someone/photos/zoo") == "zoo" and shown_name("mnist") == "mnist"


def test_export_evaluates_with_evaluates_own_count(monkeypatch, tmp_path):
    from ganforge import export

    seen = {}

    def fake_evaluate(path, n, seed):
        seen["n"] = n
        raise SystemExit(0)

    monkeypatch.setattr(export, "evaluate_checkpoint", fake_evaluate)
    with pytest.raises(SystemExit):
        main(["pretrained", "export", "--dir", str(tmp_path / "shelf"),
              str(export.pretrained_folder() / "mlp-mnist.json"), "copy"])
    assert seen == {"n": None}


def test_an_unknown_pretrained_name_says_how_to_use_an_exported_one(capsys):
    assert main(["sample", "--pretrained", "not-there", "-n", "2", "--out", "x.png"]) == 2
    assert "one exported with --dir DIR is used as a run: DIR/NAME.json" in last_error(capsys)
