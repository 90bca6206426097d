"""Tests for ganforge.data.dispatch: load_dataset, check and list_datasets go through the
registry entry of a data set, whatever it is."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from ganforge.data import ImageData, check, dispatch, list_datasets, load_dataset, registry
from ganforge.data.registry import DataSet
from ganforge.errors import DataError

CALLS: list[tuple] = []
HERE = "tests.data.test_dispatch"


def fake_load(entry, split, data_dir, limit, verify, text_encoder):
    CALLS.append(("load", entry.name, split, data_dir, limit, verify, text_encoder))
    return ImageData(torch.zeros(2, 1, 3, 3, dtype=torch.uint8), torch.zeros(2, dtype=torch.int64),
                     ("a",), entry.name)


def fake_check(entry, data_dir):
    CALLS.append(("check", entry.name, data_dir))
    return [{"role": "all", "ok": True}]


def fake_find(entry, rows, data_dir):
    CALLS.append(("find", entry.name, [r["name"] for r in rows], data_dir))
    return True, "here"


@pytest.fixture
def fake_set(monkeypatch):
    """A data set 'fake' registered by one entry, its functions recording their calls."""
    CALLS.clear()
    entry = DataSet("fake", f"{HERE}:fake_load", f"{HERE}:fake_check", f"{HERE}:fake_find",
                    (2, 1), (1, 3, 3), 1)
    monkeypatch.setitem(registry.OTHER_SETS, "fake", entry)
    return entry


def test_a_new_entry_is_loaded_checked_and_listed(fake_set, tmp_path):
    data = load_dataset("FAKE", "test", tmp_path, limit=1, verify=False, text_encoder=None)
    assert data.name == "fake" and CALLS == [("load", "fake", "test", tmp_path, 1, False, None)]
    assert check("fake", tmp_path) == [{"role": "all", "ok": True}]
    rows = {r["name"]: r for r in list_datasets(tmp_path)}
    assert rows["fake"] == {"name": "fake", "found": True, "location": "here", "train": 2,
                            "test": 1, "image_shape": (1, 3, 3), "classes": 1}
    listed = [c for c in CALLS if c[0] == "find"]
    assert listed == [("find", "fake", list(registry.data_sets())[:-1], tmp_path)]


def test_a_negative_limit_is_refused_before_loading(fake_set):
    with pytest.raises(DataError, match="data set 'fake': limit must be >= 0, got -1"):
        load_dataset("fake", limit=-1)
    assert CALLS == []


def test_the_dispatcher_names_no_data_set():
    source = Path(dispatch.__file__).read_text(encoding="utf-8").lower()
    for key in registry.data_sets():
        assert key not in source, key


def test_a_built_set_checks_the_files_of_its_base(tiny, tmp_path, monkeypatch):
    folder = tiny.write(tmp_path / "d" / "tiny")
    built = DataSet("built", registry.IDX_LOAD, registry.IDX_CHECK, "x:y", (1, 1), (1,), 1,
                    base="tiny")
    monkeypatch.setitem(registry.OTHER_SETS, "built", built)
    reports = check("Built", tmp_path / "d")
    assert [Path(str(r["path"])).parent for r in reports] == [folder] * 4
    assert all(r["ok"] for r in reports)


def fake_download(entry, captions, log):
    CALLS.append(("download", entry.name, captions))
    log(f"{entry.name}: fetched")


def test_data_download_goes_through_the_entry(fake_set, monkeypatch, capsys):
    from dataclasses import replace

    from ganforge.cli import main

    monkeypatch.setitem(registry.OTHER_SETS, "fake", replace(
        fake_set, captioned=True, download=f"{HERE}:fake_download"))
    assert main(["data", "download", "Fake", "--captions", "c.tgz"]) == 0
    assert CALLS == [("download", "fake", "c.tgz")] and "fake: fetched" in capsys.readouterr().out
    assert main(["data", "download", "stacked-mnist"]) == 2  # its entry offers no download
    assert "unknown data set 'stacked-mnist'" in capsys.readouterr().err
    assert main(["data", "download", "mnist", "--captions", "c.tgz"]) == 2
    assert "--captions is for flowers102, fake, not 'mnist'" in capsys.readouterr().err
