"""Text-to-image runs on a folder of one's own captions: without a test split the grid takes
training captions (and evaluation says it needs a split); before an evaluator is fitted,
training notes that it goes unscored and `evaluate` names the command that fits one;
captions edited since a checkpoint warn on resume; a folder that lost its captions is one
line naming it."""

from __future__ import annotations

import json
import shutil

import pytest

from ganforge.cli import main
from tests.data.folder.conftest import make_folder
from tests.folder_runs import last_error

SMALL = ["--arch", "t2i", "--width", "4", "--image-size", "28", "--batch-size", "8",
         "--no-progress"]


pytestmark = pytest.mark.usefixtures("isolated_cache")


def _train(folder, run, *more: str) -> None:
    assert main(["train", "--dataset", str(folder), "--max-steps", "2", "--out", str(run),
                 *SMALL, *more]) == 0


def test_a_run_without_a_test_split_draws_its_grid_from_training_captions(tmp_path, capsys):
    folder = make_folder(tmp_path / "shop", 24, captions="jsonl")
    _train(folder, tmp_path / "run", "--test-fraction", "0", "--eval-every", "0")
    cells = json.loads((tmp_path / "run" / "captions.json").read_text())
    assert cells and all(c["caption"].startswith(("a picture number", "a ")) for c in cells)
    capsys.readouterr()
    assert main(["evaluate", str(tmp_path / "run"), "--n", "8"]) == 2
    assert "test" in last_error(capsys)


def test_a_run_without_a_test_split_says_its_class_notes_once(tmp_path, capsys):
    folder = make_folder(tmp_path / "shop", 24, ("cat", "dog"), captions="jsonl")
    (folder / "notes").mkdir()
    (folder / "notes" / "todo.md").write_text("more dogs")  # a top folder with no image
    _train(folder, tmp_path / "run", "--test-fraction", "0", "--eval-every", "0")
    err = capsys.readouterr().err
    assert err.count(f"note: {folder}: classes: left out, no image file: notes") == 1
    assert (tmp_path / "run" / "captions.json").exists()  # the grid drew training captions


def test_a_folder_without_an_evaluator_trains_with_a_note_and_says_how_to_fit(
        tmp_path, capsys):
    folder = make_folder(tmp_path / "shop", 24, captions="jsonl")
    _train(folder, tmp_path / "run", "--eval-every", "1")
    err = capsys.readouterr().err
    assert f"note: no evaluation during training: no evaluator fitted for {folder}" in err
    assert main(["evaluate", str(tmp_path / "run"), "--n", "8"]) == 2
    assert "the folder has 22 training and 2 test images, and fitting an evaluator needs at " \
        "least 64 and 10: add images" in last_error(capsys)


def test_the_fit_advice_gives_the_command_only_where_it_can_work(tmp_path, capsys):
    folder = make_folder(tmp_path / "shop", 120, captions="jsonl")
    _train(folder, tmp_path / "run", "--eval-every", "0")
    assert main(["evaluate", str(tmp_path / "run"), "--n", "8"]) == 2
    assert last_error(capsys).endswith(
        f"no evaluator fitted for {folder} yet: fit one with `ganforge evaluator fit {folder} "
        "--image-size 28`")
    _train(folder, tmp_path / "all", "--eval-every", "0", "--test-fraction", "0")
    assert main(["evaluate", str(tmp_path / "all"), "--n", "8"]) == 2
    assert "the run holds out no test split (--test-fraction 0)" in last_error(capsys)


def test_edited_captions_warn_on_resume_and_lost_captions_are_one_line(tmp_path, capsys):
    folder = make_folder(tmp_path / "shop", 24, captions="jsonl")
    _train(folder, tmp_path / "run", "--eval-every", "0")
    metadata = folder / "metadata.jsonl"
    metadata.write_text(metadata.read_text().replace("bright", "shining"))
    capsys.readouterr()
    assert main(["train", "--resume", str(tmp_path / "run"), "--max-steps", "3",
                 "--no-progress"]) == 0
    out = capsys.readouterr()
    assert "the data set has changed since this checkpoint (the same number of training " \
        "images" in out.out + out.err and "with other contents" in out.out + out.err
    shutil.copytree(folder, tmp_path / "bare")
    (tmp_path / "bare" / "metadata.jsonl").unlink()
    assert main(["train", "--resume", str(tmp_path / "run"), "--dataset",
                 str(tmp_path / "bare"), "--max-steps", "4", "--no-progress"]) == 2
    error = last_error(capsys)
    assert f"{tmp_path / 'bare'}: a text-conditioned model needs captions" in error


@pytest.mark.parametrize("arch,size,builds", [("t2i", "32", "28, 64 or 128 px"),
                                              ("dcgan", "48", "32, 64, 128 or 256 px"),
                                              ("dcgan28", "32", "28 px")])
def test_a_size_the_arch_cannot_build_is_refused_before_the_folder_is_read(
        tmp_path, capsys, arch, size, builds):
    folder = make_folder(tmp_path / "shop", 24, captions="jsonl")
    more = [a for a in SMALL if a not in ("t2i", "--arch", "28", "--image-size")]
    assert main(["train", "--dataset", str(folder), "--arch", arch, "--image-size", size,
                 "--out", str(tmp_path / "run"), *more]) == 2
    out = capsys.readouterr()
    assert f"arch {arch} builds {builds} images, not {size}x{size}" in out.err.splitlines()[-1]
    assert "prepar" not in out.out + out.err and "encod" not in out.out + out.err
    assert not (tmp_path / "run").exists()


def test_a_text_run_judged_on_a_folder_without_captions_is_told_so_first(tmp_path, capsys):
    folder = make_folder(tmp_path / "shop", 24, captions="jsonl")
    plain = make_folder(tmp_path / "plain", 24, ("a", "b"))
    _train(folder, tmp_path / "run", "--eval-every", "0")
    capsys.readouterr()
    assert main(["evaluate", str(tmp_path / "run"), "--n", "8", "--dataset", str(plain)]) == 2
    assert last_error(capsys).endswith(f"--dataset {plain}: it has no captions; a "
                                       "text-to-image run is scored on held-out captions of "
                                       "a captioned data set")
