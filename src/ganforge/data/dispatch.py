"""Any data set by name, through its registry entry (ganforge.data.registry): load a split,
check its files, list every set. Nothing here names a data set or a kind of data set."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from ganforge.data.registry import data_sets, lookup, resolve
from ganforge.errors import DataError

if TYPE_CHECKING:
    from ganforge.data.dataset import ImageData
    from ganforge.fileio import PathLike

DEFAULT_ENCODER = "minilm"


def load_dataset(name: str, split: Literal["train", "test"] = "train",
                 data_dir: PathLike | None = None, limit: int | None = None,
                 verify: bool = True, text_encoder: str | None = DEFAULT_ENCODER,
                 options: Any = None) -> ImageData:
    """Load a split of a known data set into memory (uint8 images (N, C, H, W), labels).

    Files are found (and IDX sets downloaded if needed, see locate.find_files); with ``verify``
    their checksums are checked. ``limit`` keeps the first ``limit`` items. A set with captions
    also carries them and, encoded by ``text_encoder`` (None: not encoded), their vectors.
    ``name`` may be the path of a folder or archive of images (docs/data.md), prepared as
    ``options`` (a data.folder.prepare.PrepareOptions; None: the defaults) say.
    """
    entry = lookup(name, options)
    if split not in ("train", "test"):  # every set, a registered loader's and a folder's too
        raise DataError(f"unknown split {split!r} for data set '{entry.name}'; expected "
                        "'train' or 'test'")
    if limit is not None and limit < 0:
        raise DataError(f"data set '{entry.name}': limit must be >= 0, got {limit}")
    return resolve(entry.load)(entry, split, data_dir, limit, verify, text_encoder)


def check(name: str, data_dir: PathLike | None = None) -> list[dict[str, object]]:
    """Check data set ``name``'s files without downloading: one report per file (or group).

    Each report has ``role``, ``path``, ``shape`` (None if unreadable), ``expected_shape``,
    ``sha256``, ``sha256_ok`` (None: no published checksum), ``shape_ok``, ``ok`` and ``error``
    (None, or a one-line message). Raises :class:`DataError` if the files are not found.
    """
    entry = lookup(name)
    return resolve(entry.check)(entry, data_dir)


def list_datasets(data_dir: PathLike | None = None) -> list[dict[str, object]]:
    """Describe every known data set without downloading or hashing anything.

    Each row has ``name``, ``found`` (bool), ``location`` (folder or why not found),
    ``train`` and ``test`` (item counts), ``image_shape`` and ``classes``.
    """
    rows: list[dict[str, object]] = []
    for entry in data_sets().values():
        found, location = resolve(entry.find)(entry, rows, data_dir)
        rows.append({"name": entry.name, "found": found, "location": location,
                     "train": entry.sizes[0], "test": entry.sizes[1],
                     "image_shape": entry.image_shape, "classes": entry.classes})
    return rows
