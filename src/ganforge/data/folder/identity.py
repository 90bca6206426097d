"""What a folder data set holds, apart from where it lies and when its files were written:
so that an evaluator fitted on a folder is found again after the folder moved, was renamed
or copied (`cp` without `-p` gives every file a new modification time).

    listing    SHA-256 of the relative names and sizes of its files (hidden files and the
               others the reader passes over without a word left out): read from the file
               system alone, no file opened, so a folder that cannot be the same is told
               apart at once
    train      the fingerprint (data.fingerprint) of each split of the folder prepared as
    test       the evaluator's record says: the SHA-256 of the prepared pixels, labels and
               captions, the image count and the class names

The names fix the split, and the fingerprints are of exactly what an evaluator was fitted on
and is scored against, so equal contents mean the same evaluator and the same figures. The
preparation they need is the one evaluation makes anyway (and caches)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ganforge.data.dataset import ImageData
from ganforge.data.fingerprint import fingerprint
from ganforge.data.folder.listing import ignored
from ganforge.data.folder.load import prepared_split
from ganforge.data.folder.prepare import prepare
from ganforge.data.folder.source import open_source
from ganforge.data.prepare_options import PrepareOptions
from ganforge.errors import DataError

SPLITS = ("train", "test")


def listing_digest(path: str | Path) -> str:
    """SHA-256 of the relative names and sizes of the folder's (or archive's) files, sorted
    by name (an archive lists its members in the order they were added); no modification
    time, no path. A DataError when it cannot be listed."""
    digest = hashlib.sha256()
    members = open_source(Path(path).expanduser()).listing().members
    for name, size in sorted((m.name, m.size) for m in members if not ignored(m.name)):
        digest.update(f"{name}\0{size}\n".encode("utf-8", "replace"))
    return digest.hexdigest()


def split_fingerprints(path: str | Path, options: PrepareOptions) -> dict[str, Any]:
    """{"train": fingerprint, "test": fingerprint} of the folder prepared as `options` say
    (from the cache when it holds that preparation)."""
    p = prepare(path, options)
    return {split: fingerprint(prepared_split(p, split, str(path))) for split in SPLITS}


def folder_content(path: str | Path, train: ImageData, test: ImageData
                   ) -> dict[str, Any] | None:
    """{"listing": listing_digest, "train": fingerprint, "test": fingerprint}: what the folder
    at `path` holds, its splits `train` and `test` as loaded; None when nothing is there to
    list (a data set registered under a path-like name, say)."""
    try:
        listing = listing_digest(path) if Path(path).exists() else None
    except DataError:
        listing = None
    if listing is None:
        return None
    return {"listing": listing, "train": fingerprint(train), "test": fingerprint(test)}
