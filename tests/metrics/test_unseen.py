"""Alignment on captions never seen in training: the ratio to the held-out figures, the
runs it refuses, and `ganforge evaluate --captions unseen` on a tiny fashion run."""

from __future__ import annotations

import json

import pytest

from ganforge.cli import main
from ganforge.config import resolve_config
from ganforge.data.captioned.unseen_orders import new_orders
from ganforge.errors import ConfigError
from ganforge.metrics.unseen import makers_for, ratios


def test_ratios_are_unseen_over_held_out_per_figure():
    held = {"class": 0.5, "attributes": {"size": 0.4, "size_n": 9, "width": 0.0, "all": 0.25,
                                         "all_n": 20, "chance": 1 / 3}}
    unseen = {"class": 0.25, "attributes": {"size": 0.2, "size_n": 7, "width": 0.5,
                                            "all": 0.25, "all_n": 15, "chance": 1 / 3}}
    assert ratios(unseen, held) == {"class": 0.5, "size": 0.5, "width": None, "all": 1.0}
    no_class = {"attributes": {"size": 0.4, "size_n": 3, "all": 0.4, "all_n": 3}}
    assert ratios(no_class, held) == {"size": 1.0, "all": 1.6}


def test_the_makers_of_each_data_set():
    flowers = makers_for(resolve_config("t2i-synthetic-flowers"))
    assert set(flowers) == {"new_orders", "new_combinations", "whole_species", "new_words"}
    fashion = makers_for(resolve_config("t2i-fashion"))
    assert set(fashion) == {"new_orders"}
    assert fashion["new_orders"] is new_orders  # named by the set's registry entry


def test_runs_without_unseen_captions_are_refused_in_one_line():
    with pytest.raises(ConfigError, match="arch dcgan28 does not read captions"):
        makers_for(resolve_config("dcgan-mnist"))
    with pytest.raises(ConfigError, match="no unseen captions for data set 'flowers102'"):
        makers_for(resolve_config("t2i-flowers"))


def test_evaluate_unseen_on_a_tiny_fashion_run(real_data_root, tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "--preset", "t2i-fashion", "--text-encoder", "hashing", "--limit",
                 "64", "--batch-size", "32", "--epochs", "1", "--width", "4", "--out",
                 str(run), "--no-progress", "--eval-every", "0"]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(run), "--n", "120", "--captions", "unseen"]) == 0
    out = capsys.readouterr().out
    assert "captions never seen in training (120 of each kind)" in out
    assert "new word orders" in out and "new combinations" not in out
    unseen = json.loads((run / "eval.json").read_text())["unseen"]
    orders = unseen["new_orders"]
    assert unseen["captions"] == 120 and set(unseen) == {"captions", "seed", "new_orders"}
    assert 0 <= orders["class"] <= 1 and orders["real"]["class"] > 0.8
    assert orders["real"]["attributes"]["all"] == 1.0  # measured as the captions were written
    assert set(orders["ratio"]) == {"class", "brightness", "size", "width", "all"}
    assert all(" is " in c or " are " in c or "," in c for c in orders["examples"])
