"""Resuming a run trained on a folder that changed or moved: a folder that gained or lost
images resumes with a warning naming the counts (the run no longer repeats exactly); the
same folder moved elsewhere resumes with `--dataset NEW` silently and exactly; a folder given
anew with other contents warns; old checkpoints without the data record resume as before."""

from __future__ import annotations

import json
import shutil

import pytest

from ganforge.cli import main
from ganforge.runs.folder import RunFolder
from tests.data.folder.conftest import draw, make_folder

QUICK = ["--arch", "dcgan", "--width", "4", "--image-size", "32", "--batch-size", "8",
         "--eval-every", "0", "--no-progress", "--checkpoint-every", "1"]


pytestmark = pytest.mark.usefixtures("isolated_cache")


def _train(folder, run, steps: int) -> None:
    assert main(["train", "--dataset", str(folder), "--max-steps", str(steps), "--out",
                 str(run), *QUICK]) == 0


def _resume(run, steps: int, *more: str) -> int:
    return main(["train", "--resume", str(run), "--max-steps", str(steps), "--no-progress",
                 *more])


def _checkpoints(run) -> list:
    return sorted((run / "checkpoints").glob("*.json"))


def _warnings(capsys) -> list[str]:
    out = capsys.readouterr()
    return [line for line in (out.out + out.err).splitlines() if line.startswith("warning:")]


def test_checkpoints_record_the_training_split(tmp_path):
    folder = make_folder(tmp_path / "pics", 20)
    _train(folder, tmp_path / "run", 2)
    meta = json.loads(_checkpoints(tmp_path / "run")[-1].read_text())
    assert meta["data"]["images"] == 20 - 2  # the held-out tenth is not trained on
    assert len(meta["data"]["sha256"]) == 64 and meta["data"]["classes"] == []


def test_a_folder_that_gained_images_resumes_with_a_warning(tmp_path, capsys):
    folder = make_folder(tmp_path / "pics", 20)
    _train(folder, tmp_path / "run", 2)
    capsys.readouterr()
    for image in sorted(folder.iterdir())[:10]:
        shutil.copy(image, folder / f"copy-{image.name}")
    assert _resume(tmp_path / "run", 4) == 0
    warnings = _warnings(capsys)
    assert len(warnings) == 1 and "27 training images, the run had 18" in warnings[0]
    assert "no longer repeats exactly" in warnings[0]
    assert RunFolder(tmp_path / "run").read_config().train.max_steps == 4


def test_a_moved_folder_resumes_exactly_with_dataset_given_anew(tmp_path, capsys):
    folder = make_folder(tmp_path / "pics", 20)
    _train(folder, tmp_path / "straight", 4)
    _train(folder, tmp_path / "run", 2)
    moved = tmp_path / "elsewhere" / "pics"
    moved.parent.mkdir()
    folder.rename(moved)
    assert _resume(tmp_path / "run", 4) == 2
    assert str(folder) in capsys.readouterr().err
    assert _resume(tmp_path / "run", 4, "--dataset", str(moved)) == 0
    assert _warnings(capsys) == []
    config = RunFolder(tmp_path / "run").read_config()
    assert config.data.dataset == str(moved)
    final = RunFolder(tmp_path / "run").path / "checkpoints" / "final.safetensors"
    straight = RunFolder(tmp_path / "straight").path / "checkpoints" / "final.safetensors"
    from safetensors.torch import load_file

    a, b = load_file(final), load_file(straight)
    assert all(a[k].equal(b[k]) for k in a if k.startswith(("generator.", "discriminator.")))


def test_a_folder_given_anew_with_other_images_warns(tmp_path, capsys):
    folder = make_folder(tmp_path / "pics", 20)
    other = tmp_path / "other"
    for i in range(20):  # the same names, other pictures
        draw(other / f"img{i:04d}", i + 50)
    _train(folder, tmp_path / "run", 2)
    capsys.readouterr()
    assert _resume(tmp_path / "run", 4, "--dataset", str(other)) == 0
    (warning,) = _warnings(capsys)
    assert "the same number of training images (18), with other contents" in warning


def test_a_checkpoint_without_the_data_record_resumes_quietly(tmp_path, capsys):
    folder = make_folder(tmp_path / "pics", 20)
    _train(folder, tmp_path / "run", 2)
    for path in _checkpoints(tmp_path / "run"):
        meta = json.loads(path.read_text())
        del meta["data"]
        path.write_text(json.dumps(meta))
    capsys.readouterr()
    assert _resume(tmp_path / "run", 4) == 0
    assert _warnings(capsys) == []


def test_a_data_record_of_the_wrong_form_is_an_invalid_checkpoint(tmp_path, capsys):
    folder = make_folder(tmp_path / "pics", 20)
    _train(folder, tmp_path / "run", 2)
    path = tmp_path / "run" / "checkpoints" / "final.json"
    meta = json.loads(path.read_text())
    meta["data"] = {"images": "many"}
    path.write_text(json.dumps(meta))
    assert main(["train", "--resume", str(path), "--max-steps", "4", "--no-progress"]) == 2
    assert "'data' must be the training split's image count, digest and classes" in \
        capsys.readouterr().err


def test_a_moved_folder_is_told_how_to_resume_with_evaluation_on_too(tmp_path, capsys):
    folder = make_folder(tmp_path / "pics", 20)
    assert main(["train", "--dataset", str(folder), "--max-steps", "2", "--out",
                 str(tmp_path / "run"), *QUICK[:-3], "--eval-every", "1",
                 "--checkpoint-every", "1"]) == 0
    folder.rename(tmp_path / "moved")
    capsys.readouterr()
    assert _resume(tmp_path / "run", 4) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith(f"a folder that moved is given anew: ganforge train --resume "
                            f"{tmp_path / 'run'} --dataset NEW/PATH")


def test_evaluation_turned_off_on_resume_is_off_for_that_resume(tmp_path, capsys):
    prepared = ["--image-size", "32", "--channels", "1", "--test-fraction", "0.2"]
    folder = make_folder(tmp_path / "pics", 120)
    assert main(["evaluator", "fit", str(folder), "--epochs", "1", *prepared]) == 0
    assert main(["train", "--dataset", str(folder), "--arch", "dcgan", "--width", "4",
                 "--batch-size", "16", "--max-steps", "2", "--eval-every", "1",
                 "--eval-samples", "16", "--no-progress", "--out", str(tmp_path / "run"),
                 *prepared]) == 0
    evals = RunFolder(tmp_path / "run").metrics.read_text().count('"kind": "eval"')
    assert evals >= 1
    assert _resume(tmp_path / "run", 14, "--eval-every", "0", "--epochs", "4") == 0
    assert RunFolder(tmp_path / "run").metrics.read_text().count('"kind": "eval"') == evals
