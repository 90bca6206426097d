"""Stacked MNIST: three MNIST digits drawn at random into the three channels of one 28x28
image, so 1,000 classes ("000".."999", label = 100*d0 + 10*d1 + d2). Built from an MNIST
split deterministically (a fixed seed per split); it has as many images as that split."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ganforge.errors import DataError

if TYPE_CHECKING:
    from ganforge.data.dataset import ImageData
    from ganforge.data.locate import PathLike

NAME = "stacked-mnist"
CHANNELS = 3
SEEDS = {"train": 1000, "test": 1001}  # fixed: the data set is the same everywhere
CLASSES: tuple[str, ...] = tuple(f"{i:03d}" for i in range(10**CHANNELS))


def load_stacked(split: Literal["train", "test"] = "train", data_dir: PathLike | None = None,
                 limit: int | None = None, verify: bool = True) -> ImageData:
    """The stacked-MNIST split: uint8 images (N, 3, 28, 28) and labels in 0..999."""
    import torch

    from ganforge.data.dataset import ImageData, load_dataset

    if split not in SEEDS:
        raise DataError(f"unknown split {split!r} for data set '{NAME}'; "
                        "expected 'train' or 'test'")
    if limit is not None and limit < 0:
        raise DataError(f"data set '{NAME}': limit must be >= 0, got {limit}")
    mnist = load_dataset("mnist", split, data_dir, verify=verify)
    n = len(mnist)
    rng = torch.Generator().manual_seed(SEEDS[split])
    picks = torch.randint(0, n, (n, CHANNELS), generator=rng)  # (N, 3) MNIST indices
    if limit is not None:
        picks = picks[:limit]
    images = mnist.images[:, 0][picks]  # (N, 3, 28, 28)
    digits = mnist.labels[picks]  # (N, 3)
    labels = digits @ torch.tensor([100, 10, 1])
    return ImageData(images=images.contiguous(), labels=labels, classes=CLASSES, name=NAME)


def list_entry(entries: list[dict[str, object]]) -> dict[str, object]:
    """The `ganforge data list` row of stacked MNIST, given the rows of the file data sets
    (it is found wherever MNIST is)."""
    mnist = next((e for e in entries if e["name"] == "mnist"), None)
    found = bool(mnist and mnist["found"])
    return {
        "name": NAME, "found": found,
        "location": f"built from mnist ({mnist['location']})" if found and mnist
        else "not found (needs mnist)",
        "train": 60000, "test": 10000, "image_shape": (CHANNELS, 28, 28),
        "classes": len(CLASSES),
    }
