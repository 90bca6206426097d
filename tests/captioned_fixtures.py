"""Fixtures of the tests of text and captioned data: a private user cache, a counting
encoder, and a tiny Oxford flowers folder in the standard layout, built from scratch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ganforge.text import encoders

# 12 images of 3 classes; trnid + tstid = train (8 images), valid = test (4 images).
LABELS = [1, 1, 2, 2, 3, 3, 1, 2, 3, 1, 2, 3]
SPLIT_IDS = {"trnid": [1, 2, 3], "tstid": [4, 5, 6, 7, 8], "valid": [9, 10, 11, 12]}
COLOURS = {1: "red", 2: "yellow", 3: "white"}


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every text test caches embeddings and images in its own folder."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache / "ganforge"


class CountingEncoder(encoders.HashingEncoder):
    """The hashing encoder, counting how many captions it was asked to encode."""

    def __init__(self) -> None:
        super().__init__(name="counting", dim=16)
        self.calls: list[int] = []

    def encode(self, captions):
        self.calls.append(len(captions))
        return super().encode(captions)


@pytest.fixture
def counting_encoder(monkeypatch: pytest.MonkeyPatch) -> CountingEncoder:
    """An encoder registered as "counting" for this test."""
    encoder = CountingEncoder()
    monkeypatch.setitem(encoders.ENCODERS, "counting", lambda: encoder)
    monkeypatch.delitem(encoders._LOADED, "counting", raising=False)
    return encoder


def write_mat(path: Path, **arrays: list[int]) -> None:
    from scipy.io import savemat

    savemat(str(path), {k: np.array([v], dtype=np.uint16) for k, v in arrays.items()})


def _photo(image_id: int, label: int) -> np.ndarray:
    """A landscape photo whose colour depends on the class (sizes vary per image)."""
    rng = np.random.default_rng(image_id)
    h, w = 48 + 4 * (image_id % 13), 80 + 2 * (image_id % 13)
    base = np.array({1: (200, 30, 40), 2: (230, 210, 40), 3: (235, 235, 235)}[label])
    noise = rng.integers(-20, 20, size=(h, w, 3))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def build_flowers(root: Path, labels: list[int] = LABELS,
                  split: dict[str, list[int]] = SPLIT_IDS) -> Path:
    """Write the layout into `root` (named flowers102): jpg/, the two .mat files, text_c10/;
    `labels` (1, 2 or 3) of images 1..N, and their `split` (trnid, tstid, valid)."""
    from PIL import Image

    (root / "jpg").mkdir(parents=True)
    write_mat(root / "imagelabels.mat", labels=labels)
    write_mat(root / "setid.mat", **split)
    for image_id, label in enumerate(labels, start=1):
        Image.fromarray(_photo(image_id, label)).save(root / "jpg" / f"image_{image_id:05d}.jpg")
        folder = root / "text_c10" / f"class_{label:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        colour = COLOURS[label]
        lines = [f"this flower has {colour} petals", "", f"  a {colour}   flower with a stem ",
                 f"the petals are {colour} and round"]
        (folder / f"image_{image_id:05d}.txt").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture
def flowers_root(tmp_path: Path) -> Path:
    """ROOT/flowers102 with jpg/, imagelabels.mat, setid.mat and text_c10/."""
    return build_flowers(tmp_path / "data" / "flowers102")


def train_tiny(flowers: Path, out: Path, observers=(), **overrides: str):
    """Train t2i on the flowers fixture for a few steps (4 steps an epoch's worth of 8)."""
    from ganforge.config import resolve_config
    from ganforge.training.run import train

    settings = {"data_dir": str(flowers.parent), "text_encoder": "hashing", "width": "4",
                "text_proj": "8", "latent_dim": "8", "batch_size": "4", "epochs": "2",
                "log_every": "1", **overrides}
    return train(resolve_config("t2i-flowers", overrides=settings), out, progress=False,
                 observers=observers)
