"""Tests for ganforge.data.registry: every data set is one entry naming its functions."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from ganforge.data import registry
from ganforge.data.registry import data_sets, lookup, resolve, scored_as
from ganforge.errors import DataError


def test_every_entry_names_functions_that_exist():
    for key, entry in data_sets().items():
        assert entry.name == key
        refs = [entry.load, entry.check, entry.find] + ([entry.make] if entry.make else [])
        for ref in refs:
            assert callable(resolve(ref)), ref
        assert list(inspect.signature(resolve(entry.load)).parameters)[0] == "entry"
        assert entry.base is None or entry.base in registry.DATASETS


def test_list_order_is_the_idx_sets_then_the_others():
    assert list(data_sets()) == ["mnist", "fashion-mnist", "stacked-mnist", "mnist-captions",
                                 "fashion-mnist-captions", "flowers102", "synthetic-flowers"]


def test_an_idx_set_registered_in_datasets_is_an_entry(tiny):
    entry = lookup("TINY")
    assert (entry.sizes, entry.image_shape, entry.classes) == ((12, 4), (5, 5), 3)
    assert entry.load == registry.IDX_LOAD and entry.check == registry.IDX_CHECK


def test_lookup_normalises_and_refuses_unknown_names():
    assert lookup(" Stacked_MNIST ").name == "stacked-mnist"
    with pytest.raises(DataError, match="unknown data set 'cifar'; known data sets: "
                                        "mnist, fashion-mnist, stacked-mnist, .*synthetic-"
                                        "flowers; or the path of a folder"):
        lookup("cifar")


def test_every_set_with_a_shipped_evaluator_names_it():
    sets = data_sets()
    assert sets["mnist"].evaluator == sets["stacked-mnist"].evaluator == "mnist"
    assert sets["stacked-mnist"].per_channel and sets["stacked-mnist"].eval_samples == 26_000
    assert sets["mnist-captions"].evaluator is None  # scored as its base set (scored_as)


def test_captions_and_scoring_are_answered_by_the_entries():
    assert [k for k, entry in data_sets().items() if entry.captioned] == [
        "mnist-captions", "fashion-mnist-captions", "flowers102", "synthetic-flowers"]
    assert scored_as("Fashion_MNIST-captions") == "fashion-mnist"
    assert scored_as("mnist") is None and scored_as("nope") is None and "nope" not in data_sets()


def test_resolving_a_bad_reference_fails_loudly():
    with pytest.raises(AttributeError):
        resolve("ganforge.data.dispatch:no_such_function")


def test_a_preset_path_in_the_user_cache_follows_xdg_cache_home(tmp_path, monkeypatch):
    from ganforge.data.registry import anchored_name

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert anchored_name("~/.cache/ganforge/emoji") == str(tmp_path / "cache/ganforge/emoji")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert anchored_name("~/.cache/ganforge/emoji") == str(
        Path.home() / ".cache/ganforge/emoji")
    assert anchored_name("mnist") == "mnist"


def test_a_folder_named_as_a_built_in_set_gets_a_note_on_how_to_mean_it(
        tmp_path, monkeypatch, capsys):
    from ganforge.data.registry import anchored_name

    monkeypatch.chdir(tmp_path)
    assert anchored_name("Fashion-MNIST") == "Fashion-MNIST"
    assert capsys.readouterr().err == ""
    (tmp_path / "Fashion-MNIST").mkdir()
    assert anchored_name("Fashion-MNIST") == "Fashion-MNIST"  # the built-in set still
    assert capsys.readouterr().err == ("note: 'Fashion-MNIST' is ganforge's built-in data set; "
                                       "for the folder 'Fashion-MNIST' here, give it as "
                                       "./Fashion-MNIST\n")
    assert anchored_name("./Fashion-MNIST") == str(tmp_path / "Fashion-MNIST")
