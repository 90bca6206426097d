"""Refitting an evaluator's attribute heads on renders: only the heads change, the record
says how and what it measured, the CLI does it in place, and a data set without renders is
refused in one line."""

from __future__ import annotations

import json

import pytest
import torch

from ganforge.cli import main
from ganforge.data.synthetic_flowers.species import ATTRIBUTES, VALUES
from ganforge.metrics import evaluator_refit
from ganforge.metrics.evaluator import Evaluator, EvaluatorConfig
from ganforge.metrics.evaluator_refit import fit_head
from ganforge.metrics.evaluator_training import write_weights
from ganforge.metrics.weights import load_evaluator


def test_fit_head_separates_separable_features():
    g = torch.Generator().manual_seed(0)
    levels = torch.randint(0, 4, (200,), generator=g)
    features = torch.nn.functional.one_hot(levels, 4).float() * 3 + 0.3 * torch.randn(
        200, 4, generator=g)
    linear = torch.nn.Linear(4, 4)
    fit_head(linear, features, levels, seed=0)
    assert float((linear(features).argmax(1) == levels).float().mean()) == 1.0
    assert not linear.weight.requires_grad


@pytest.fixture
def tiny_weights(tmp_path):
    """A small untrained synthetic-flowers evaluator written as a record in tmp_path."""
    cfg = EvaluatorConfig(channels=3, num_classes=102, width=4, image_size=64,
                          heads=tuple((a, len(VALUES[a])) for a in ATTRIBUTES))
    torch.manual_seed(0)
    write_weights(Evaluator(cfg), tmp_path, "synthetic-flowers",
                  {"name": "synthetic-flowers", "config": cfg.to_dict(), "command": "x"})
    return tmp_path


def test_refit_changes_the_heads_alone_and_records_it(tiny_weights, synthetic_flowers,
                                                      monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(synthetic_flowers.parent / "cache"))
    for name, value in (("RENDERS", 256), ("CHECK_RENDERS", 64), ("STEPS", 30)):
        monkeypatch.setattr(evaluator_refit, name, value)
    before = load_evaluator("synthetic-flowers", tiny_weights).state_dict()
    assert main(["evaluator", "refit", "synthetic-flowers", "--out", str(tiny_weights),
                 "--data-dir", str(synthetic_flowers.parent)]) == 0
    assert "heads refitted; on combinations no class has petal_colour" in \
        capsys.readouterr().out
    after = load_evaluator("synthetic-flowers", tiny_weights).state_dict()  # SHA-256 checked
    for key, value in before.items():
        same = torch.equal(value, after[key])
        assert same == (not key.startswith("heads.")), key
    meta = json.loads((tiny_weights / "synthetic-flowers.json").read_text())
    refit = meta["refit"]
    assert refit["command"] == "ganforge evaluator refit synthetic-flowers --seed 0"
    assert (refit["renders"], refit["check_renders"], refit["steps"]) == (256, 64, 30)
    assert set(refit["after"]["new_combinations"]) == set(ATTRIBUTES)
    assert meta["head_accuracy"] == refit["after"]["test"] and meta["command"] == "x"
    # fitted on renders, the heads beat chance on new combinations even on random features
    assert refit["after"]["new_combinations"]["petal_colour"] > 1 / 7 + 0.1


def test_a_data_set_without_renders_is_refused_in_one_line(capsys):
    assert main(["evaluator", "refit", "mnist"]) == 2
    err = capsys.readouterr().err.strip()
    assert "draws no renders" in err and len(err.splitlines()) == 1
