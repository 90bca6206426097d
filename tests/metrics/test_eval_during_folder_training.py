"""A run on a colour folder is scored during training by the evaluator fitted for the
folder with the same preparation: the channels are compared as the folder is prepared (its
own channels, or those forced), not as a model's defaults say before the data is read."""

from __future__ import annotations

import json
from pathlib import Path

from ganforge.cli import main
from tests.data.folder.conftest import make_folder

SIZE = ["--image-size", "32"]


def test_a_colour_folder_run_is_evaluated_during_training(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = make_folder(tmp_path / "colour", 110)
    assert main(["evaluator", "fit", str(folder), "--epochs", "1", *SIZE]) == 0
    run = tmp_path / "run"
    capsys.readouterr()
    # 99 training images at batch 16: an epoch ends at step 6, and is scored there
    assert main(["train", "--dataset", str(folder), "--arch", "dcgan", "--width", "4",
                 "--batch-size", "16", "--max-steps", "7", "--eval-every", "1",
                 "--eval-samples", "24", "--no-progress", "--out", str(run), *SIZE]) == 0
    assert "no evaluation during training" not in capsys.readouterr().err
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    scored = [r for r in records if "fd" in json.dumps(r)]
    assert scored, "no evaluation record in metrics.jsonl"
    # forcing other channels than the evaluator's is still refused, with the reason
    assert main(["train", "--dataset", str(folder), "--arch", "dcgan", "--width", "4",
                 "--batch-size", "16", "--max-steps", "1", "--eval-every", "1", "--channels",
                 "1", "--no-progress", "--out", str(tmp_path / "grey"), *SIZE]) == 0
    assert "channels 1 (the evaluator's: 3)" in capsys.readouterr().err
