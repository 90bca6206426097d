"""Stacked MNIST: three MNIST digits drawn at random into the three channels of one 28x28
image, so 1,000 classes ("000".."999", label = 100*d0 + 10*d1 + d2). Built from an MNIST
split deterministically (a fixed seed per split); it has as many images as that split."""

from __future__ import annotations

from typing import Literal

from ganforge.data.dataset import ImageData, load_base
from ganforge.data.locate import find_built
from ganforge.data.registry import DataSet
from ganforge.errors import DataError
from ganforge.fileio import PathLike

NAME = "stacked-mnist"
CHANNELS = 3
SEEDS = {"train": 1000, "test": 1001}  # fixed: the data set is the same everywhere
CLASSES: tuple[str, ...] = tuple(f"{i:03d}" for i in range(10**CHANNELS))


def load_stacked(entry: DataSet, split: Literal["train", "test"] = "train",
                 data_dir: PathLike | None = None, limit: int | None = None,
                 verify: bool = True, text_encoder: str | None = None) -> ImageData:
    """The stacked-MNIST split: uint8 images (N, 3, 28, 28) and labels in 0..999, built from
    the split of ``entry.base`` (MNIST)."""
    import torch  # imported on loading, so `ganforge data list` stays torch-free

    if split not in SEEDS:
        raise DataError(f"unknown split {split!r} for data set '{NAME}'; "
                        "expected 'train' or 'test'")
    mnist = load_base(entry, split, data_dir, verify)
    n = len(mnist)
    rng = torch.Generator().manual_seed(SEEDS[split])
    picks = torch.randint(0, n, (n, CHANNELS), generator=rng)  # (N, 3) MNIST indices
    if limit is not None:
        picks = picks[:limit]
    images = mnist.images[:, 0][picks]  # (N, 3, 28, 28)
    digits = mnist.labels[picks]  # (N, 3)
    labels = digits @ torch.tensor([100, 10, 1])
    return ImageData(images=images.contiguous(), labels=labels, classes=CLASSES, name=NAME)


def find_stacked(entry: DataSet, rows: list[dict[str, object]], data_dir: PathLike | None
                 ) -> tuple[bool, str]:
    """Found wherever MNIST is (`ganforge data list`)."""
    return find_built(entry, rows, "built from")
