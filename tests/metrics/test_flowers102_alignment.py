"""flowers102, the real Oxford set, gets the same figures as the other captioned sets once
its two evaluators exist (no photographs ship, so a user makes them): `evaluator train
flowers102` (the species classifier: FD and class figures) and `evaluator fit flowers102`
(the image-text encoder: R-precision and caption similarity). Checked on a made-up Oxford
layout of 90 photographs with captions, the package's weights folder moved to a temporary
one."""

from __future__ import annotations

from pathlib import Path

import pytest

from ganforge.cli import main
from tests.captioned_fixtures import build_flowers, train_tiny

N = 90
SPLIT = {"trnid": list(range(1, 41)), "tstid": list(range(41, 71)), "valid": list(range(71, 91))}


@pytest.fixture
def weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "weights"
    folder.mkdir()
    for module in ("weights", "fitted", "evaluator_training"):
        monkeypatch.setattr(f"ganforge.metrics.{module}.weights_dir", lambda: folder)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return folder


def test_a_flowers102_text_run_is_scored_with_r_precision(tmp_path, weights, capsys):
    root = build_flowers(tmp_path / "data" / "flowers102", [1 + i % 3 for i in range(N)],
                         SPLIT)
    data = str(root.parent)
    assert main(["evaluator", "train", "flowers102", "--epochs", "1", "--data-dir", data]) == 0
    assert (weights / "flowers102.json").is_file()
    assert main(["evaluator", "fit", "flowers102", "--kind", "contrastive", "--epochs", "1",
                 "--data-dir", data, "--text-encoder", "hashing"]) == 0
    assert "R@1 among" in capsys.readouterr().out
    run = tmp_path / "run"
    train_tiny(root, run)
    assert main(["evaluate", str(run), "--n", "20"]) == 0
    out = capsys.readouterr().out
    assert "of flowers102 vs its test split" in out and "FD (evaluator features)" in out
    assert "R-precision (R@1 among" in out and "caption similarity" in out
    assert "real images" in out
