"""Opening one image file safely and preparing it as a square uint8 array: the only place
ganforge decodes a user's image.

The header is read first and the size bounded before any pixel is decoded (width, height,
their product and the aspect ratio), so a small file that claims a huge image (a
decompression bomb) is refused without the memory it asks for. A photo's EXIF orientation
is applied (it is prepared upright). Every refusal is a
:class:`ImageRefused` whose message is the reason, short enough for a skip list.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from typing import IO, Literal

import numpy as np

MAX_SIDE = 16_384  # widest or tallest image read
MAX_PIXELS = 40_000_000  # width * height (Pillow's own warning starts at about 89 million)
MAX_ASPECT = 32.0  # longer side / shorter side
MAX_FILE_BYTES = 64 * 2**20  # a compressed image file larger than this is not read
BACKGROUND = (255, 255, 255)  # what transparent pixels are composited on (white)

Fit = Literal["crop", "pad"]


REMOVED = "removed while being read"  # the reason of a file that went away mid-read


class ImageRefused(Exception):
    """An image that cannot be used; the message is the reason (e.g. "not an image")."""


@dataclass(frozen=True)
class Prepared:
    """One image ready for the array: (S, S, C) uint8, and what the file was."""

    pixels: np.ndarray
    mode: str  # Pillow's mode of the file, e.g. "RGB", "L", "P", "I;16"
    size: tuple[int, int]  # the file's (width, height)


def check_header(width: int, height: int) -> None:
    """Refuse a size outside the bounds (read from the header, before decoding)."""
    if width < 1 or height < 1:
        raise ImageRefused(f"empty image ({width}x{height})")
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise ImageRefused(f"too large ({width}x{height} pixels; at most {MAX_SIDE} a side "
                           f"and {MAX_PIXELS // 1_000_000} million in all)")
    if max(width, height) / min(width, height) > MAX_ASPECT:
        raise ImageRefused(f"too elongated ({width}x{height}; at most {MAX_ASPECT:g}:1)")


def _grey(mode: str) -> bool:
    return mode in ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "I;16N", "F", "La")


def _to_8bit(image):
    """Grey images of 16 or 32 bits scaled to 8-bit L on a fixed scale, the same for every
    image of a set: 16-bit (I;16) and 32-bit integers (I) as 0..65535, floats (F) as 0..1;
    values outside are clipped, NaN is black."""
    from PIL import Image

    values = np.nan_to_num(np.asarray(image, dtype=np.float64), nan=0.0, posinf=0.0,
                           neginf=0.0)
    top = 1.0 if image.mode == "F" else 65535.0
    return Image.fromarray(np.clip(values / top * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")


def _flatten(image, channels: int):
    """Any mode -> "L" (channels 1) or "RGB" (channels 3), alpha composited on BACKGROUND."""
    from PIL import Image

    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        image = _to_8bit(image)
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "La", "RGBa", "PA"):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, BACKGROUND + (255,))
        image = Image.alpha_composite(canvas, rgba).convert("RGB")
    return image.convert("L" if channels == 1 else "RGB")


def _square(image, size: int, fit: Fit):
    """Centre crop (or pad with BACKGROUND) to a square, then resize to size x size with a
    filter for downscaling (box for large factors, LANCZOS otherwise)."""
    from PIL import Image

    w, h = image.size
    if fit == "crop":
        side = min(w, h)
        left, top = (w - side) // 2, (h - side) // 2
        image = image.crop((left, top, left + side, top + side))
    elif w != h:
        side = max(w, h)
        fill = BACKGROUND[0] if image.mode == "L" else BACKGROUND
        canvas = Image.new(image.mode, (side, side), fill)
        canvas.paste(image, ((side - w) // 2, (side - h) // 2))
        image = canvas
    if image.size[0] != size:
        factor = image.size[0] / size
        if factor >= 4:  # a box pre-shrink, then LANCZOS for the last factor of two
            image = image.reduce(int(factor // 2))
        image = image.resize((size, size), Image.LANCZOS)
    return image


def _upright(image):
    """The image as it is meant to be seen: a photo's EXIF orientation (a phone held
    sideways) applied; the image itself when it has none."""
    from PIL import ImageOps

    orientation = image.getexif().get(0x0112, 1)  # the Orientation tag
    return image if orientation in (1, None) else ImageOps.exif_transpose(image)


def prepare_image(source: str | IO[bytes], size: int, channels: int | None, fit: Fit = "crop"
                  ) -> Prepared:
    """Open ``source`` (a path or a binary file object), bound it, decode it (the first frame
    of an animation) and return it as (size, size, C) uint8. ``channels`` None keeps what the
    file has (1 for grey files, else 3). Raises :class:`ImageRefused` with the reason."""
    from PIL import Image, UnidentifiedImageError

    try:
        if isinstance(source, str) and os.path.getsize(source) == 0:
            raise ImageRefused("empty file")
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                mode, dims = image.mode, image.size
                check_header(*dims)
                if image.format == "JPEG":  # decode at 1/2..1/8 scale when that is enough
                    image.draft(image.mode, (size, size))
                image.seek(0)
                image.load()
                want = channels or (1 if _grey(mode) else 3)
                square = _square(_flatten(_upright(image), want), size, fit)
    except ImageRefused:
        raise
    except FileNotFoundError:
        raise ImageRefused(REMOVED) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("too large (decompression bomb)") from None
    except UnidentifiedImageError:
        raise ImageRefused("not an image") from None
    except (OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError,
            MemoryError, KeyError, ZeroDivisionError) as exc:
        kind = "truncated or corrupt" if "truncated" in str(exc).lower() or isinstance(
            exc, (OSError, EOFError, SyntaxError)) else "unreadable"
        raise ImageRefused(f"{kind} image ({type(exc).__name__})") from None
    pixels = np.asarray(square, dtype=np.uint8)
    return Prepared(pixels[:, :, None] if pixels.ndim == 2 else pixels, mode, dims)


def prepare_bytes(data: bytes, size: int, channels: int | None, fit: Fit = "crop") -> Prepared:
    """:func:`prepare_image` of an image held in memory (an archive's member)."""
    if not data:
        raise ImageRefused("empty file")
    if len(data) > MAX_FILE_BYTES:
        raise ImageRefused(f"file too large ({len(data)} bytes)")
    return prepare_image(io.BytesIO(data), size, channels, fit)
