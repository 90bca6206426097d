"""Turn generator output into uint8 images, image grids and PNG files.

Generator images are float tensors or arrays in [-1, 1] (tanh output) shaped (N, C, H, W)
with C = 1 (greyscale) or C = 3 (RGB). ``to_uint8`` converts them to the layout used for
PNG files and for npz export: (N, H, W) for greyscale and (N, H, W, 3) for colour.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from ganforge.fileio import atomic_write, output_folder

PathLike = str | os.PathLike[str]


def _to_numpy(images: Any) -> np.ndarray:
    """Return ``images`` (torch tensor, numpy array or nested sequence) as a float64 array."""
    if hasattr(images, "detach") and hasattr(images, "cpu"):
        # A torch tensor: detach from the graph, move to host, widen low-precision dtypes.
        images = images.detach().cpu().float().numpy()
    return np.asarray(images, dtype=np.float64)


def to_uint8(images: Any) -> np.ndarray:
    """Map images in [-1, 1] shaped (N, C, H, W) to uint8 pixels in 0..255.

    Values are clamped to [-1, 1], scaled by ``(x + 1) * 127.5`` and rounded half up, so
    -1 -> 0, 0 -> 128 and 1 -> 255. NaN becomes 0 (black).

    Returns an array shaped (N, H, W) when C = 1 and (N, H, W, 3) when C = 3.

    Raises:
        ValueError: if the input is not 4-D or has a channel count other than 1 or 3.
    """
    arr = _to_numpy(images)
    if arr.ndim != 4 or arr.shape[1] not in (1, 3):
        raise ValueError(f"expected images shaped (N, C, H, W) with C in {{1, 3}}, got {arr.shape}")
    arr = np.clip(np.nan_to_num(arr, nan=-1.0), -1.0, 1.0)
    pixels = np.floor((arr + 1.0) * 127.5 + 0.5).astype(np.uint8)
    if pixels.shape[1] == 1:
        return np.ascontiguousarray(pixels[:, 0])
    return np.ascontiguousarray(pixels.transpose(0, 2, 3, 1))


def _check_uint8_batch(images: np.ndarray) -> None:
    """Raise ValueError unless ``images`` is a non-empty uint8 (N, H, W[, 3]) batch."""
    if images.dtype != np.uint8:
        raise ValueError(f"expected a uint8 array (see to_uint8), got dtype {images.dtype}")
    colour = images.ndim == 4 and images.shape[-1] == 3
    if images.ndim != 3 and not colour:
        raise ValueError(f"expected images shaped (N, H, W) or (N, H, W, 3), got {images.shape}")
    if images.shape[0] == 0:
        raise ValueError("cannot make a grid of zero images")


def make_grid(
    images_uint8: np.ndarray,
    nrow: int | None = None,
    padding: int = 2,
    pad_value: int = 0,
) -> np.ndarray:
    """Tile a batch of uint8 images into one image.

    Args:
        images_uint8: (N, H, W) greyscale or (N, H, W, 3) colour uint8 images.
        nrow: images per grid row; defaults to ceil(sqrt(N)). Capped at N.
        padding: pixels of border around and between images.
        pad_value: grey level (0..255) of the border and of unused cells.

    Returns:
        A (H', W') or (H', W', 3) uint8 array with H' = rows * (H + padding) + padding
        and W' = cols * (W + padding) + padding.
    """
    images = np.asarray(images_uint8)
    _check_uint8_batch(images)
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    if not 0 <= pad_value <= 255:
        raise ValueError(f"pad_value must be in 0..255, got {pad_value}")
    n, h, w = images.shape[:3]
    cols = math.ceil(math.sqrt(n)) if nrow is None else nrow
    if cols < 1:
        raise ValueError(f"nrow must be >= 1, got {nrow}")
    cols = min(cols, n)
    rows = math.ceil(n / cols)
    shape = (rows * (h + padding) + padding, cols * (w + padding) + padding, *images.shape[3:])
    grid = np.full(shape, pad_value, dtype=np.uint8)
    for i, image in enumerate(images):
        top = padding + (i // cols) * (h + padding)
        left = padding + (i % cols) * (w + padding)
        grid[top : top + h, left : left + w] = image
    return grid


def upscale(image: np.ndarray, scale: int) -> np.ndarray:
    """Enlarge an (H, W) or (H, W, 3) image by an integer factor with nearest neighbour."""
    if scale < 1:
        raise ValueError(f"scale must be an integer >= 1, got {scale}")
    if scale == 1:
        return image
    return np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)


# A grid file's suffix -> the Pillow format it is written in (no suffix: PNG).
GRID_SUFFIXES = {"": "PNG", ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}


def grid_format(path: PathLike) -> str:
    """The image format a grid at `path` is written in, from its suffix; one line
    (ConfigError) for a suffix that names no image format ganforge writes."""
    from ganforge.errors import ConfigError

    suffix = Path(path).suffix.lower()
    if suffix not in GRID_SUFFIXES:
        raise ConfigError(f"{path}: an image grid is written as .png, .jpg or .webp, "
                          f"not {suffix}")
    return GRID_SUFFIXES[suffix]


def _write_image(image: np.ndarray, path: PathLike) -> Path:
    """Save one (H, W) or (H, W, 3) uint8 image atomically: PNG, or JPEG (quality 95) or
    lossless WebP where the file name says so."""
    from PIL import Image

    pil = Image.fromarray(np.ascontiguousarray(image))
    kind = grid_format(path)
    options = {"JPEG": {"quality": 95}, "WEBP": {"lossless": True}}.get(kind, {})
    return atomic_write(path, lambda tmp: pil.save(tmp, format=kind, **options))


def save_grid(
    images: Any,
    path: PathLike,
    nrow: int | None = None,
    scale: int = 1,
    padding: int = 2,
    pad_value: int = 0,
) -> Path:
    """Save [-1, 1] images shaped (N, C, H, W) as one grid image (PNG; JPEG or WebP where
    the suffix says so) and return its path.

    ``scale`` enlarges the finished grid by nearest neighbour (handy for 28x28 digits).
    Parent folders are created; the file is written to a temporary name and renamed.
    """
    grid = make_grid(to_uint8(images), nrow=nrow, padding=padding, pad_value=pad_value)
    return _write_image(upscale(grid, scale), path)


def check_png_dir(folder: PathLike) -> Path:
    """Refuse (OutputError, one line) a PNG folder that already holds anything: its files
    would be overwritten or mixed with the new ones. A new or empty folder passes; creates
    nothing (call it before drawing)."""
    from ganforge.errors import OutputError
    from ganforge.fileio import refuse_run_file

    path = Path(folder)
    refuse_run_file(path)  # a folder inside a run's checkpoints/, before it is made
    try:
        with os.scandir(path) as entries:
            held = sum(1 for _ in entries)
    except (FileNotFoundError, NotADirectoryError):
        return path  # a new folder, or a file (output_folder says so)
    except OSError as exc:
        raise OutputError(f"{path}: cannot read the folder ({exc.strerror})") from None
    if held:
        raise OutputError(f"{path}: already holds {held} file(s); a PNG folder is written "
                          "only into a new or empty folder (choose another one)")
    return path


def save_png_dir(images: Any, folder: PathLike) -> list[Path]:
    """Save [-1, 1] images shaped (N, C, H, W) as ``000000.png``, ``000001.png``, ...

    The folder is created if needed; one that already holds anything is refused
    (check_png_dir). Returns the written paths in order.
    """
    pixels = to_uint8(images)
    out = output_folder(check_png_dir(folder))
    return [_write_image(image, out / f"{i:06d}.png") for i, image in enumerate(pixels)]
