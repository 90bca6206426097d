"""A folder prepared otherwise than the defaults (`--image-size`, `--channels`,
`--test-fraction`): `evaluator fit` prepares it as told and keeps that in its record,
`evaluate` of a run prepared the same way loads the splits that way, a run prepared
otherwise is refused in one line that gives the command fitting a matching evaluator, and
`evaluate --samples` reads images of the folder's size."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ganforge.cli import main
from ganforge.metrics.fitted import data_key, find_fitted, read_record
from tests.data.folder.conftest import make_folder

PREPARED = ["--image-size", "32", "--channels", "1", "--test-fraction", "0.2"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("fit-prepared")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(base / "cache"))
        make_folder(base / "plain", 120)
        assert main(["evaluator", "fit", str(base / "plain"), "--epochs", "1", *PREPARED]) == 0
        yield base


@pytest.fixture
def folder(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    return home / "plain"


def _train(folder: Path, run: Path, *prepared: str) -> None:
    assert main(["train", "--dataset", str(folder), "--arch", "dcgan", "--width", "4",
                 "--batch-size", "16", "--max-steps", "2", "--eval-every", "0",
                 "--no-progress", "--out", str(run), *prepared]) == 0


def test_the_record_keeps_the_preparation(folder):
    record = read_record(find_fitted(data_key(str(folder))))
    assert record["prepare"]["image_size"] == 32 and record["prepare"]["channels"] == 1
    assert record["prepare"]["test_fraction"] == 0.2
    assert record["image_shape"] == [1, 32, 32]
    assert record["test_images"] == 24 and record["train_images"] == 96  # 0.2 of 120
    assert "--image-size 32 --channels 1 --test-fraction 0.2" in record["command"]


def test_a_run_prepared_alike_is_scored_on_those_splits(folder, home, capsys):
    run = home / "run-alike"
    _train(folder, run, *PREPARED)
    capsys.readouterr()
    assert main(["evaluate", str(run), "--n", "24", "--json", str(home / "alike.json")]) == 0
    result = json.loads((home / "alike.json").read_text())
    assert result["n"] == 24 and result["real"]["n"] == 24
    assert result["metrics"]["fd"] > result["real"]["fd"]


def test_a_run_prepared_otherwise_is_refused_in_one_line(folder, home, capsys):
    run = home / "run-64"
    _train(folder, run)  # the defaults: 64x64, the folder's own channels, 0.1 held out
    err = capsys.readouterr().err
    assert "note: no evaluation during training" not in err  # --eval-every 0: none asked
    assert main(["evaluate", str(run), "--n", "24"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ganforge: error:")
    assert "image size 64 (the evaluator's: 32)" in lines[0]
    assert "test fraction 0.1 (the evaluator's: 0.2)" in lines[0]
    assert lines[0].endswith(f"fit one with `ganforge evaluator fit {folder.resolve()}`")


def test_samples_of_the_folders_size_are_scored(folder, home, capsys):
    rng = np.random.default_rng(0)
    np.savez(home / "s32.npz", images=rng.integers(0, 256, (24, 32, 32), dtype=np.uint8))
    assert main(["evaluate", "--samples", str(home / "s32.npz"), "--dataset", str(folder),
                 "--json", str(home / "s32.json")]) == 0
    assert json.loads((home / "s32.json").read_text())["n"] == 24
    np.savez(home / "s28.npz", images=rng.integers(0, 256, (24, 28, 28), dtype=np.uint8))
    capsys.readouterr()
    assert main(["evaluate", "--samples", str(home / "s28.npz"), "--dataset", str(folder)]) == 2
    assert "images must be 32x32" in capsys.readouterr().err


def test_training_prepared_otherwise_trains_unscored_and_says_why(folder, home, capsys):
    _train(folder, home / "run-64-eval", "--eval-every", "1")
    err = capsys.readouterr().err
    assert "note: no evaluation during training: the run prepared" in err
    assert not (home / "run-64-eval" / "eval.png").exists()
