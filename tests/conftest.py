"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Captured before any test's monkeypatching; the Makefile sets it when the real data sets
# lie beside the checkout.
_REAL_DATA = os.environ.get("GANFORGE_DATA", "")
REAL_DATA_ROOT = Path(_REAL_DATA).resolve() if _REAL_DATA else None


@pytest.fixture
def real_data_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real data folder from $GANFORGE_DATA (re-exported, downloads off), or skip."""
    if REAL_DATA_ROOT is None or not REAL_DATA_ROOT.is_dir():
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    monkeypatch.setenv("GANFORGE_DATA", str(REAL_DATA_ROOT))
    monkeypatch.setenv("GANFORGE_NO_DOWNLOAD", "1")
    return REAL_DATA_ROOT


@pytest.fixture
def no_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An environment where no data set can be found or downloaded."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("GANFORGE_DATA", str(tmp_path / "empty"))
    monkeypatch.setenv("GANFORGE_MIRRORS", str(tmp_path / "no-mirror"))
    return tmp_path / "empty"


@pytest.fixture(scope="session")
def synthetic_flowers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole synthetic-flowers set, made once per test session (under a minute);
    `--data-dir ROOT.parent` finds it. Tests must not change it (copy it first)."""
    from ganforge.data.synthetic_flowers.make import make

    return make(tmp_path_factory.mktemp("synthetic-data"), workers=2)


@pytest.fixture
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user cache of the test's own (prepared folders, embeddings, evaluators)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"
