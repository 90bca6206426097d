"""A data set split held in memory (ImageData), and loading the split of an IDX data set."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from ganforge.data.idx import MAX_CONTENT, parse_idx, read_content
from ganforge.data.idx_specs import FileSpec
from ganforge.data.locate import find_files
from ganforge.data.registry import DataSet, get_spec, lookup
from ganforge.errors import DataError
from ganforge.fileio import PathLike

if TYPE_CHECKING:  # torch is imported when loading, so `ganforge data list` stays torch-free
    import torch


@dataclass
class ImageData:
    """A split of a data set, held in memory: every data set's splits are this one kind.

    ``images`` is uint8 with shape (N, C, H, W) and values 0..255; ``labels`` is
    int64 with shape (N,), indexing ``classes``. A split with captions also holds them and
    what is known of them; a split without has None (and empty tuples) there.
    """

    images: torch.Tensor
    labels: torch.Tensor
    classes: tuple[str, ...]
    name: str
    text: torch.Tensor | None = None  # (N, K, E) sentence vectors of the captions, if encoded
    levels: np.ndarray | None = None  # (N, K, A) attribute levels the captions state, or -1
    truth: np.ndarray | None = None  # (N, A) each image's own attribute levels, when known
    captions: list[list[str]] | None = None  # (N, K) caption strings, K per image
    encoder: str | None = None  # the encoder of `text`
    attributes: tuple[str, ...] = ()  # names of the A attributes (composed and drawn sets)
    level_counts: tuple[int, ...] = ()  # levels of each attribute the captions state

    def __post_init__(self) -> None:
        """Check that images and labels agree in layout and length."""
        if self.images.dim() != 4:
            raise DataError(f"data set '{self.name}': images must be (N, C, H, W), "
                            f"got shape {tuple(self.images.shape)}")
        if self.labels.dim() != 1 or len(self.labels) != len(self.images):
            raise DataError(f"data set '{self.name}': {len(self.images)} images but labels "
                            f"of shape {tuple(self.labels.shape)}")

    @property
    def channels(self) -> int:
        """Number of channels C."""
        return int(self.images.shape[1])

    @property
    def size(self) -> int:
        """Image height H (the images are square for the known data sets)."""
        return int(self.images.shape[2])

    @property
    def num_classes(self) -> int:
        """Number of classes."""
        return len(self.classes)

    def model_fields(self) -> dict[str, int]:
        """Model settings this data set dictates: the class count and, once the captions are
        encoded, their vector size text_dim; for captions that state attribute levels, how
        many attributes and levels."""
        fields = {"num_classes": self.num_classes}
        if self.text is not None:
            fields["text_dim"] = int(self.text.shape[-1])
        if self.levels is not None and self.level_counts:
            fields["attributes"] = len(self.level_counts)
            fields["attribute_levels"] = max(self.level_counts)
        return fields

    def __len__(self) -> int:
        """Number of items N."""
        return int(self.images.shape[0])


def _read_checked(path: Path, fspec: FileSpec, verify: bool) -> np.ndarray:
    """Read one IDX file, checking the sha256 of its uncompressed content if ``verify`` (then
    it cannot be larger than the registered file; else at most MAX_CONTENT)."""
    digest = hashlib.sha256() if verify else None  # fed while the file is decompressed
    content = read_content(path, fspec.content_bytes if verify else MAX_CONTENT, digest)
    if digest is not None and digest.hexdigest() != fspec.sha256:
        raise DataError(f"{path}: checksum mismatch (sha256 {digest.hexdigest()}, "
                        f"expected {fspec.sha256})")
    return parse_idx(content, path)


def _check_arrays(images: np.ndarray, labels: np.ndarray, paths: tuple[Path, Path],
                  specs: tuple[FileSpec, FileSpec], n_classes: int) -> None:
    """Check dtype and shapes against the spec and labels against the class count."""
    img_path, lab_path = paths
    img_spec, lab_spec = specs
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != img_spec.shape[1:]:
        raise DataError(f"{img_path}: expected uint8 images of shape (N, "
                        f"{', '.join(map(str, img_spec.shape[1:]))}), "
                        f"got {images.dtype} {images.shape}")
    if labels.ndim != 1 or labels.dtype.kind not in "ui":
        raise DataError(f"{lab_path}: expected a 1-D integer label array, "
                        f"got {labels.dtype} {labels.shape}")
    if len(labels) != len(images):
        raise DataError(f"{lab_path}: {len(labels)} labels for {len(images)} images "
                        f"in {img_path.name}")
    if len(labels) and (labels.min() < 0 or labels.max() >= n_classes):
        raise DataError(f"{lab_path}: labels out of range 0..{n_classes - 1} "
                        f"(found {labels.min()}..{labels.max()})")


def load_idx(entry: DataSet, split: Literal["train", "test"] = "train",
             data_dir: PathLike | None = None, limit: int | None = None, verify: bool = True,
             text_encoder: str | None = None) -> ImageData:
    """A split of an IDX data set (its loader in the registry; no captions, so no encoder).

    Finds the files (downloading them if needed, see :func:`find_files`), checks the sha256
    of their uncompressed content when ``verify`` (a mismatch raises a :class:`DataError`
    naming the file), checks shapes and labels, and returns the images as one uint8
    (N, 1, H, W) tensor. ``limit`` keeps the first ``limit`` items. With ``verify=False`` the
    item count is not pinned to the spec. ``limit`` must be None or >= 0 (load_dataset checks it).
    """
    import torch  # imported on loading, so `ganforge data list` stays torch-free

    spec = get_spec(entry.name)
    img_spec, lab_spec = spec.split_files(split)
    files = find_files(spec.name, data_dir)
    paths = (files[f"{split}_images"], files[f"{split}_labels"])
    images = _read_checked(paths[0], img_spec, verify)
    labels = _read_checked(paths[1], lab_spec, verify)
    _check_arrays(images, labels, paths, (img_spec, lab_spec), len(spec.classes))
    if limit is not None and limit < len(images):
        # Copy so the full arrays can be freed.
        images, labels = images[:limit].copy(), labels[:limit].copy()
    return ImageData(
        images=torch.from_numpy(images).unsqueeze(1),
        labels=torch.from_numpy(labels.astype(np.int64)),
        classes=spec.classes,
        name=spec.name,
    )


def load_base(entry: DataSet, split: Literal["train", "test"], data_dir: PathLike | None,
              verify: bool) -> ImageData:
    """The whole split of the IDX set ``entry`` is built from (``entry.base``)."""
    if entry.base is None:
        raise DataError(f"data set '{entry.name}' is not built from another")
    return load_idx(lookup(entry.base), split, data_dir, verify=verify)
