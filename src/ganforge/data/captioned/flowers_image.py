"""One photograph of the flowers layout, read safely: only a regular file of bounded size,
its size bounded from the header before any pixel is decoded (data.image_file.check_header),
then resized (shorter side 64) and centre-cropped to uint8 (3, 64, 64)."""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import numpy as np

from ganforge.data.image_file import MAX_FILE_BYTES, ImageRefused, check_header
from ganforge.errors import DataError
from ganforge.fileio import read_regular

SIZE = 64


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def read_image(path: Path) -> np.ndarray:
    """One photograph as uint8 (3, 64, 64): shorter side resized to 64, centre-cropped. Only
    a regular file is read, and its size is bounded from the header before any pixel is
    decoded (data.image_file.check_header: a decompression bomb is refused, not decoded)."""
    from PIL import Image  # Pillow: imported on use (CLI start-up)

    image = open_image(path)
    with image:
        try:
            image = image.convert("RGB")
            scale = SIZE / min(image.size)
            w, h = max(SIZE, round(image.width * scale)), max(SIZE, round(image.height * scale))
            image = image.resize((w, h), Image.Resampling.BICUBIC)
            left, top = (w - SIZE) // 2, (h - SIZE) // 2
            image = image.crop((left, top, left + SIZE, top + SIZE))
            return np.asarray(image, dtype=np.uint8).transpose(2, 0, 1).copy()
        except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
            raise DataError(f"{path}: unreadable JPEG ({_first_line(exc)})") from None


def open_image(path: Path):
    """The Pillow image of `path` (not decoded yet) after its header passed check_header: a
    regular file of at most image_file.MAX_FILE_BYTES; else a one-line DataError."""
    from PIL import Image, UnidentifiedImageError  # Pillow: imported on use (CLI start-up)

    if not os.path.lexists(path):
        raise DataError(f"{path}: image file missing")
    data = read_regular(path, MAX_FILE_BYTES, "image file")
    try:
        with warnings.catch_warnings():
            # check_header's bound is stricter than Pillow's warning: it names the size
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            check_header(*image.size)
    except ImageRefused as exc:
        raise DataError(f"{path}: {exc}") from None
    except Image.DecompressionBombError:  # Pillow's own bound, twice its warning's
        raise DataError(f"{path}: too large (decompression bomb)") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise DataError(f"{path}: unreadable JPEG ({_first_line(exc)})") from None
    return image
