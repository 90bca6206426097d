"""Reading samples made by any program from an .npz file, safely (no pickles).

The file holds one uint8 array (named `images`, or the only array in the file) shaped
(N, H, W), (N, H, W, C) or (N, C, H, W) with C = 1 or 3: what `ganforge sample --format npz`
writes. Every problem is a one-line DataError naming the file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import torch

from ganforge.errors import DataError

IMAGE_SIZE = 28


def _load_array(path: Path) -> np.ndarray:
    """The image array of an npz file (allow_pickle=False: object arrays are refused)."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        with np.load(path, allow_pickle=False) as npz:
            if not isinstance(npz, np.lib.npyio.NpzFile):
                raise DataError(f"{path}: not an .npz archive (a bare .npy array?)")
            names = list(npz.files)
            if "images" in names:
                return npz["images"]
            if len(names) == 1:
                return npz[names[0]]
            raise DataError(f"{path}: no array named 'images' (found: {', '.join(names)})")
    except DataError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: not a readable .npz of images ({first})") from None


def to_nchw(array: np.ndarray, path: Path, channels: int) -> np.ndarray:
    """(N, H, W) / (N, H, W, C) / (N, C, H, W) -> (N, C, H, W), checking size and channels."""
    if array.ndim == 3:
        array = array[:, None]
    elif array.ndim == 4 and array.shape[-1] in (1, 3) and array.shape[1] == IMAGE_SIZE:
        array = array.transpose(0, 3, 1, 2)
    if array.ndim != 4 or array.shape[2:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise DataError(f"{path}: images must be {IMAGE_SIZE}x{IMAGE_SIZE}, shaped (N, H, W), "
                        f"(N, H, W, C) or (N, C, H, W); got {array.shape}")
    if array.shape[1] != channels:
        raise DataError(f"{path}: images have {array.shape[1]} channel(s); "
                        f"this data set has {channels}")
    return np.ascontiguousarray(array)


def read_npz_images(path: Path | str, channels: int = 1) -> torch.Tensor:
    """uint8 images (N, C, 28, 28) from an npz file."""
    path = Path(path)
    array = _load_array(path)
    if array.dtype != np.uint8:
        raise DataError(f"{path}: images must be uint8 (0..255), got dtype {array.dtype}")
    array = to_nchw(array, path, channels)
    if array.shape[0] < 2:
        raise DataError(f"{path}: need at least 2 images, got {array.shape[0]}")
    return torch.from_numpy(array)
