"""The data sets made of four IDX files (MNIST's layout): each file's name, digest and
shape, the classes, the download mirrors and the system folders that may hold them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ganforge.errors import DataError

ROLES: tuple[str, ...] = ("train_images", "train_labels", "test_images", "test_labels")


@dataclass(frozen=True)
class FileSpec:
    """One IDX file of a data set.

    ``filename`` is the uncompressed name (e.g. ``train-images-idx3-ubyte``); on disk
    the file may also carry a ``.gz`` suffix. ``sha256`` is the digest of the
    uncompressed content, ``shape`` the array shape it must hold.
    """

    filename: str
    sha256: str
    shape: tuple[int, ...]

    @property
    def content_bytes(self) -> int:
        """The size of the uncompressed file: the IDX header and one byte per item (every
        registered file holds uint8). Reading and downloading are bounded by it."""
        return 4 + 4 * len(self.shape) + math.prod(self.shape)

    @property
    def gz_name(self) -> str:
        """The compressed file name, as served by the mirrors."""
        return f"{self.filename}.gz"


@dataclass(frozen=True)
class DatasetSpec:
    """A known data set: its four IDX files, class names, download mirrors and system folders.

    ``mirrors`` are base URLs under which each file is served as ``<filename>.gz``.
    ``system_dirs`` are folders that hold the files directly (e.g. a distribution
    package's install folder).
    """

    name: str
    train_images: FileSpec
    train_labels: FileSpec
    test_images: FileSpec
    test_labels: FileSpec
    classes: tuple[str, ...]
    mirrors: tuple[str, ...] = ()
    system_dirs: tuple[str, ...] = ()

    def files(self) -> dict[str, FileSpec]:
        """Return the four files keyed by role (``train_images``, ... ``test_labels``)."""
        return {role: getattr(self, role) for role in ROLES}

    def split_files(self, split: str) -> tuple[FileSpec, FileSpec]:
        """Return the (images, labels) file specs of ``split`` ("train" or "test")."""
        if split not in ("train", "test"):
            raise DataError(f"unknown split {split!r} for data set '{self.name}'; "
                            "expected 'train' or 'test'")
        return getattr(self, f"{split}_images"), getattr(self, f"{split}_labels")


def _idx_set(name: str, sums: tuple[str, str, str, str], classes: tuple[str, ...],
             mirrors: tuple[str, ...], system_dirs: tuple[str, ...] = ()) -> DatasetSpec:
    """Build the spec of an MNIST-layout data set (60000 train, 10000 test, 28x28 images)."""
    return DatasetSpec(
        name=name,
        train_images=FileSpec("train-images-idx3-ubyte", sums[0], (60000, 28, 28)),
        train_labels=FileSpec("train-labels-idx1-ubyte", sums[1], (60000,)),
        test_images=FileSpec("t10k-images-idx3-ubyte", sums[2], (10000, 28, 28)),
        test_labels=FileSpec("t10k-labels-idx1-ubyte", sums[3], (10000,)),
        classes=classes,
        mirrors=mirrors,
        system_dirs=system_dirs,
    )


DATASETS: dict[str, DatasetSpec] = {
    "mnist": _idx_set(
        "mnist",
        (
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        ),
        classes=tuple(str(d) for d in range(10)),
        mirrors=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ),
    ),
    "fashion-mnist": _idx_set(
        "fashion-mnist",
        (
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        ),
        classes=(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
        ),
        mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
        system_dirs=("/usr/share/datasets/fashion-mnist",),
    ),
}
