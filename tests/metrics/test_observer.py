"""Evaluation during training: eval records, the best checkpoint, eval.png, and a run that
trains exactly as it would without evaluation."""

import json

import pytest

from ganforge.config import resolve_config
from ganforge.metrics.observer import EvalObserver, eval_record, make_eval_observer
from ganforge.training.run import train

TINY = {"limit": "256", "batch_size": "64", "epochs": "2", "log_every": "2",
        "g_hidden": "32,64", "d_hidden": "64,32", "eval_every": "0"}


def _records(run):
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None:
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    mp = pytest.MonkeyPatch()
    mp.setenv("GANFORGE_DATA", str(REAL_DATA_ROOT))
    root = tmp_path_factory.mktemp("eval-runs")
    config = resolve_config("mlp-mnist", overrides=TINY)  # eval_every 0: nothing automatic
    observer = EvalObserver("mnist", every=1, samples=400)
    train(config, root / "plain", progress=False)
    train(config, root / "eval", progress=False, observers=[observer])
    yield root / "plain", root / "eval"
    mp.undo()


def test_eval_records_are_appended(runs):
    _, evaluated = runs
    evals = [r for r in _records(evaluated) if r["kind"] == "eval"]
    assert [r["epoch"] for r in evals] == [1, 2]
    for r in evals:
        assert r["n"] == 400 and r["step"] in (4, 8)
        for key in ("fd", "fd_real", "kid", "kid_real", "kid_std", "coverage", "kl_uniform",
                    "precision", "recall", "classifier_score", "classifier_score_real"):
            assert isinstance(r[key], (int, float)), key
        assert r["fd"] > r["fd_real"] >= 0  # two epochs on 256 images are far from real data
        assert 1 <= r["classifier_score"] <= 10 and 0 <= r["precision"] <= 1


def test_training_is_identical_with_and_without_evaluation(runs):
    plain, evaluated = runs
    steps = [r for r in _records(evaluated) if r["kind"] == "step"]
    assert steps and steps == _records(plain)


def test_best_checkpoint_and_eval_plot(runs):
    _, evaluated = runs
    best = json.loads((evaluated / "checkpoints" / "best.json").read_text())
    evals = [r for r in _records(evaluated) if r["kind"] == "eval"]
    best_fd = min(r["fd"] for r in evals)
    assert best["summary"]["fd"] == pytest.approx(best_fd)
    assert (evaluated / "eval.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert best["summary"]["coverage"].endswith("/10")  # shown in the epoch line too


class _FakeLoop:
    def __init__(self):
        self.lines = []
        self.log = self.lines.append


def test_coverage_drop_warns_naming_the_vanished_classes():
    observer = EvalObserver("fashion-mnist", every=1, samples=10)
    loop = _FakeLoop()
    observer._check_coverage(loop, {"covered": list(range(10)), "num_classes": 10}, 1)
    observer._check_coverage(loop, {"covered": [0, 2, 3, 4, 5, 6, 8, 9], "num_classes": 10}, 2)
    assert len(loop.lines) == 1
    assert "coverage fell from 10 to 8" in loop.lines[0]
    assert "vanished: Trouser, Sneaker" in loop.lines[0]


def test_eval_record_pairs_each_figure_with_its_floor():
    result = {"n": 5, "metrics": {"fd": 3.0, "coverage": 9, "num_classes": 10},
              "real": {"fd": 0.5, "coverage": 10, "num_classes": 10, "n": 5}}
    record = eval_record(result, epoch=2, step=40)
    assert record == {"kind": "eval", "epoch": 2, "step": 40, "n": 5, "fd": 3.0,
                      "coverage": 9, "num_classes": 10, "fd_real": 0.5, "coverage_real": 10}


def test_make_eval_observer_only_when_useful():
    assert make_eval_observer(resolve_config("mlp-mnist", overrides={"eval_every": "0"})) is None
    obs = make_eval_observer(resolve_config("dcgan-stacked", overrides={"eval_every": "2"}))
    assert isinstance(obs, EvalObserver) and obs.every == 2 and obs.dataset == "stacked-mnist"


def test_make_eval_observer_draws_as_the_condition_says():
    from ganforge.metrics.draw import FromCaptions, FromNoise

    text = make_eval_observer(resolve_config("t2i-fashion", overrides={"eval_every": "1"}))
    assert isinstance(text, EvalObserver) and isinstance(text.drawing, FromCaptions)
    assert text.dataset == text.drawing.dataset == "fashion-mnist"  # scored as its base set
    plain = make_eval_observer(resolve_config("mlp-mnist", overrides={"eval_every": "1"}))
    assert isinstance(plain.drawing, FromNoise) and plain.drawing.dataset == "mnist"
    # flowers102's evaluator is not shipped: no evaluation rather than a failing one
    assert make_eval_observer(resolve_config("t2i-flowers", overrides={"eval_every": "1"})) \
        is None
