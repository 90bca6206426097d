"""Errors that lead somewhere: a --data-dir or GANFORGE_DATA folder holding no data set is
refused in one line (never a silent fall-back to a set found elsewhere), and "not found"
names the folders looked in, GANFORGE_DATA and the command that fetches the set. Each error
path: one line, exit code 2, the hint present."""

from __future__ import annotations

from pathlib import Path

import pytest

from ganforge.cli import main

TRAIN = ["train", "--preset", "mlp-mnist", "--max-steps", "1", "--no-progress"]


@pytest.fixture
def cached_mnist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """MNIST in a user cache of its own (linked to the real files); GANFORGE_DATA unset."""
    from tests.conftest import REAL_DATA_ROOT

    real = None if REAL_DATA_ROOT is None else REAL_DATA_ROOT / "mnist"
    if real is None or not real.is_dir():
        pytest.skip("real MNIST not available (set GANFORGE_DATA)")
    cache = tmp_path / "xdg"
    (cache / "ganforge").mkdir(parents=True)
    (cache / "ganforge" / "mnist").symlink_to(real)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.delenv("GANFORGE_DATA", raising=False)
    monkeypatch.setenv("GANFORGE_NO_DOWNLOAD", "1")
    return cache / "ganforge"


def _one_line_error(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ganforge: error: "), err
    return err


def test_a_data_dir_holding_no_data_set_is_refused(cached_mnist, tmp_path, capsys):
    empty = tmp_path / "my-images"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a data set")
    err = _one_line_error(capsys, [*TRAIN, "--data-dir", str(empty), "--out",
                                   str(tmp_path / "run")])
    assert f"--data-dir {empty} holds no data set" in err
    assert "ganforge data download mnist" in err
    assert not (tmp_path / "run").exists()  # nothing trained on the cache's MNIST


def test_a_missing_data_dir_is_refused(cached_mnist, tmp_path, capsys):
    err = _one_line_error(capsys, [*TRAIN, "--data-dir", str(tmp_path / "typo"), "--out",
                                   str(tmp_path / "run")])
    assert f"--data-dir {tmp_path / 'typo'} does not exist" in err
    assert "ganforge data download mnist" in err


def test_a_ganforge_data_holding_no_data_set_is_refused(cached_mnist, tmp_path, capsys,
                                                         monkeypatch):
    empty = tmp_path / "datasets"
    empty.mkdir()
    monkeypatch.setenv("GANFORGE_DATA", str(empty))
    err = _one_line_error(capsys, [*TRAIN, "--out", str(tmp_path / "run")])
    assert f"GANFORGE_DATA {empty} holds no data set" in err
    assert "give the folder that holds mnist/" in err


def test_a_data_dir_holding_another_set_is_accepted(cached_mnist, tmp_path):
    from ganforge.data.locate import find_files, usable_sets

    other = tmp_path / "other"
    (other / "synthetic-flowers").mkdir(parents=True)
    assert usable_sets(other) == ["synthetic-flowers"]
    assert find_files("mnist", other)["train_images"].parent.name == "mnist"


def test_not_found_names_the_places_ganforge_data_and_the_command(no_data, tmp_path, capsys,
                                                                   monkeypatch):
    monkeypatch.setenv("GANFORGE_NO_DOWNLOAD", "1")
    err = _one_line_error(capsys, [*TRAIN, "--out", str(tmp_path / "run")])
    assert "data set 'mnist' not found; looked in: " in err
    assert str(no_data / "mnist") in err  # the GANFORGE_DATA folder looked in
    assert "set GANFORGE_DATA=DIR" in err and "ganforge data download mnist" in err
