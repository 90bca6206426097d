"""Shared fixtures for the data tests: an isolated environment and a tiny fake data set."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from ganforge.data.idx import encode_idx, write_idx
from ganforge.data.idx_specs import DATASETS, DatasetSpec, FileSpec

_ENV_VARS = ("GANFORGE_DATA", "GANFORGE_MIRRORS", "GANFORGE_NO_DOWNLOAD", "XDG_CACHE_HOME")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point HOME at a fresh folder and clear every ganforge data variable; return HOME."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in _ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    return home


@dataclass
class TinySet:
    """A fake four-file data set registered as 'tiny', with its arrays."""

    spec: DatasetSpec
    arrays: dict[str, np.ndarray]

    def write(self, folder: Path, compress: bool = True,
              roles: tuple[str, ...] | None = None) -> Path:
        """Write the files (all roles, or only ``roles``) into ``folder``; return it."""
        folder.mkdir(parents=True, exist_ok=True)
        for role, fspec in self.spec.files().items():
            if roles is None or role in roles:
                name = fspec.gz_name if compress else fspec.filename
                write_idx(folder / name, self.arrays[role], compress=compress)
        return folder


def make_tiny(system_dir: Path) -> TinySet:
    """Build the fake data set: 12 train and 4 test 5x5 images, 3 classes."""
    rng = np.random.default_rng(0)
    arrays = {
        "train_images": rng.integers(0, 256, (12, 5, 5), dtype=np.uint8),
        "train_labels": rng.integers(0, 3, 12, dtype=np.uint8),
        "test_images": rng.integers(0, 256, (4, 5, 5), dtype=np.uint8),
        "test_labels": np.array([0, 1, 2, 1], dtype=np.uint8),
    }
    names = {"train_images": "train-images-idx3-ubyte", "train_labels": "train-labels-idx1-ubyte",
             "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte"}
    files = {
        role: FileSpec(names[role], hashlib.sha256(encode_idx(arr)).hexdigest(), arr.shape)
        for role, arr in arrays.items()
    }
    spec = DatasetSpec(name="tiny", classes=("a", "b", "c"),
                       mirrors=("file:///nonexistent-ganforge-mirror/",),
                       system_dirs=(str(system_dir),), **files)
    return TinySet(spec, arrays)


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TinySet:
    """Register the fake 'tiny' data set in DATASETS for the duration of a test."""
    tiny_set = make_tiny(tmp_path / "system" / "tiny")
    monkeypatch.setitem(DATASETS, "tiny", tiny_set.spec)
    return tiny_set
