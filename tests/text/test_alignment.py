"""Alignment measures, and `ganforge evaluate` on a text-to-image run."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ganforge.cli import main
from ganforge.metrics.alignment import attribute_alignment, class_alignment


@pytest.fixture(scope="module")
def fashion_test():
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None:
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    from ganforge.data import load_dataset

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GANFORGE_DATA", str(REAL_DATA_ROOT))
        return load_dataset("fashion-mnist-captions", "test", limit=500, text_encoder=None)


def test_real_images_match_their_own_captions(fashion_test):
    data = fashion_test
    stated = data.levels[:, 0]  # each image's first caption
    result = attribute_alignment(data.images, data.labels.numpy(), stated,
                                 "fashion-mnist-captions")
    assert result["all"] == 1.0 and result["chance"] == pytest.approx(1 / 3)
    assert result["all_n"] == int((stated >= 0).sum()) > 500
    shuffled = np.roll(stated, 1, axis=0)  # another image's statements
    assert attribute_alignment(data.images, data.labels.numpy(), shuffled,
                               "fashion-mnist-captions")["all"] < 0.6


def test_class_alignment_of_real_images(fashion_test):
    labels = fashion_test.labels.numpy()
    assert class_alignment(fashion_test.images, labels, "fashion-mnist") > 0.85
    assert class_alignment(fashion_test.images, (labels + 1) % 10, "fashion-mnist") < 0.1


def test_evaluate_a_text_to_image_run(tmp_path, real_data_root, capsys, monkeypatch):
    import ganforge.metrics.evaluate as evaluate

    scored = []

    def stub(images, dataset, **kwargs):  # FD and friends are tested in tests/metrics
        scored.append((tuple(images.shape), dataset))
        return {"dataset": dataset, "n": len(images), "seed": kwargs["seed"],
                "evaluator": dataset, "features": "evaluator", "metrics": {"fd": 1.5},
                "real": {"n": len(images), "fd": 0.5}, "seconds": {}}

    monkeypatch.setattr(evaluate, "evaluate_images", stub)
    run = tmp_path / "run"
    assert main(["train", "--preset", "t2i-fashion", "--text-encoder", "hashing", "--limit",
                 "64", "--batch-size", "32", "--epochs", "1", "--width", "4", "--out",
                 str(run), "--no-progress", "--eval-every", "0"]) == 0
    assert main(["evaluate", str(run), "--n", "300"]) == 0
    assert scored == [((300, 1, 28, 28), "fashion-mnist")]
    out = capsys.readouterr().out
    assert "class alignment (300 held-out captions)" in out and "attribute alignment" in out
    result = json.loads((run / "eval.json").read_text())
    assert result["n"] == 300 and result["metrics"]["fd"] == 1.5
    assert 0 <= result["alignment"]["class"] <= 1
    assert result["alignment"]["attributes"]["all_n"] > 0


def test_quick_evaluation_during_training_draws_from_held_out_captions(
        tmp_path, real_data_root, monkeypatch):
    import ganforge.metrics.evaluate as evaluate

    scored = []

    def stub(images, dataset, **kwargs):  # FD and friends are tested in tests/metrics
        scored.append((tuple(images.shape), dataset))
        return {"n": len(images), "metrics": {"fd": 2.5 - len(scored)}, "real": {"fd": 0.5}}

    monkeypatch.setattr(evaluate, "evaluate_images", stub)
    run = tmp_path / "run"
    assert main(["train", "--preset", "t2i-fashion", "--text-encoder", "hashing", "--limit",
                 "64", "--batch-size", "32", "--epochs", "2", "--width", "4", "--out",
                 str(run), "--no-progress", "--eval-every", "1", "--eval-samples", "120"]) == 0
    assert scored == [((120, 1, 28, 28), "fashion-mnist")] * 2
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    evals = [r for r in records if r.get("kind") == "eval"]
    assert [r["epoch"] for r in evals] == [1, 2] and evals[1]["fd"] == 0.5
    assert all(0 <= r["class_alignment"] <= 1 for r in evals)
    assert (run / "checkpoints" / "best.json").exists()


def test_evaluate_refuses_flowers_with_one_line(tmp_path, flowers_root, capsys):
    from tests.captioned_fixtures import train_tiny

    run = train_tiny(flowers_root, tmp_path / "run", max_steps="1")
    assert main(["evaluate", str(run)]) == 2
    assert "no evaluator classifier for data set 'flowers102'" in capsys.readouterr().err
