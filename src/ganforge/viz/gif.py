"""Build animated GIFs (e.g. one sample grid per epoch) from PNG frames.

Pillow's multi-frame GIF writer merges identical consecutive frames into one longer
frame, even with ``optimize=False``. ganforge wants exactly one GIF frame per input (a
training run whose samples stop changing must still show every epoch), so Pillow encodes
each frame on its own and this module assembles the animation: GIF89a header, NETSCAPE
loop extension, then per frame a graphic control extension (delay), an image descriptor
with the frame's own colour table, and the frame's LZW data.
"""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ganforge.fileio import atomic_write

if TYPE_CHECKING:
    from PIL import Image

PathLike = str | os.PathLike[str]

_EXTENSION = 0x21
_IMAGE_DESCRIPTOR = 0x2C
_TRAILER = b";"
_DISPOSAL_KEEP = 1  # leave the frame in place; every frame covers the whole canvas anyway
_CAPTION_MARGIN = 3


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    """Return the position just after the chain of data sub-blocks starting at ``pos``."""
    while data[pos] != 0:
        pos += data[pos] + 1
    return pos + 1


def _colour_table_len(packed: int) -> int:
    """Byte length of the colour table announced by a GIF packed-fields byte (0 if none)."""
    return 3 * (2 ** ((packed & 0x07) + 1)) if packed & 0x80 else 0


def _encode_frame(frame: Image.Image) -> bytes:
    """Encode one image as a GIF frame body: image descriptor, local colour table, LZW data."""
    buffer = io.BytesIO()
    frame.save(buffer, format="GIF", optimize=False, interlace=False)
    data = buffer.getvalue()
    screen_packed = data[10]
    table = data[13 : 13 + _colour_table_len(screen_packed)]
    pos = 13 + len(table)
    while data[pos] == _EXTENSION:  # skip any extension Pillow may have written
        pos = _skip_sub_blocks(data, pos + 2)
    if data[pos] != _IMAGE_DESCRIPTOR:
        raise RuntimeError("unexpected GIF layout from Pillow: no image descriptor found")
    descriptor, packed = data[pos + 1 : pos + 9], data[pos + 9]
    pos += 10
    if packed & 0x80:  # the frame already carries a local table: use it
        table = data[pos : pos + _colour_table_len(packed)]
        pos += len(table)
        size_bits = packed & 0x07
    else:
        size_bits = screen_packed & 0x07
    if not table:
        raise RuntimeError("unexpected GIF layout from Pillow: frame has no colour table")
    end = _skip_sub_blocks(data, pos + 1)  # pos holds the LZW minimum code size
    new_packed = 0x80 | (packed & 0x40) | size_bits  # local table, keep interlace bit
    return b"," + descriptor + bytes([new_packed]) + table + data[pos:end]


def _header(size: tuple[int, int], loop: int | None) -> bytes:
    """GIF89a signature, logical screen descriptor (no global table) and loop extension."""
    head = b"GIF89a" + struct.pack("<HHBBB", size[0], size[1], 0, 0, 0)
    if loop is not None:
        head += b"\x21\xff\x0bNETSCAPE2.0" + struct.pack("<BBHB", 3, 1, loop, 0)
    return head


def _graphic_control(delay_cs: int) -> bytes:
    """Graphic control extension: frame delay in centiseconds, no transparency."""
    return b"\x21\xf9" + struct.pack("<BBHBB", 4, _DISPOSAL_KEEP << 2, delay_cs, 0, 0)


def unreadable_image(path: PathLike) -> str | None:
    """Why the image file at `path` cannot be read whole (a folder, an empty file, a file cut
    short or not an image), or None when it decodes."""
    from PIL import Image

    try:
        if os.path.isdir(path):
            return "a folder, not an image"
        if os.path.getsize(path) == 0:
            return "an empty file"
        with Image.open(path) as image:
            image.load()
    except PermissionError:
        return "not readable (permission denied)"
    except Exception:  # Pillow reports a damaged file in many exception types
        return "damaged or not an image"
    return None


def _load_frames(frame_paths: Sequence[PathLike]) -> list[Image.Image]:
    """Open all frames as "L" (if every frame is greyscale) or "RGB" images of equal size."""
    from PIL import Image

    frames: list[Image.Image] = []
    for path in frame_paths:
        with Image.open(path) as im:
            grey = Image.getmodebase(im.mode) == "L"
            frames.append(im.convert("L" if grey else "RGB"))
    if any(frame.mode == "RGB" for frame in frames):
        frames = [frame.convert("RGB") for frame in frames]
    sizes = {frame.size for frame in frames}
    if len(sizes) > 1:
        raise ValueError(f"all GIF frames must have the same size, got {sorted(sizes)}")
    return frames


def _add_captions(frames: list[Image.Image], labels: Sequence[str]) -> list[Image.Image]:
    """Return copies of ``frames`` with a strip below each holding its label (white on black)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default()
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))
    boxes = [measure.textbbox((0, 0), label, font=font) for label in labels]
    # One baseline for all frames, so captions do not jump as the text changes.
    top = min(box[1] for box in boxes)
    strip_h = int(max(box[3] for box in boxes) - top) + 2 * _CAPTION_MARGIN
    white = 255 if frames[0].mode == "L" else (255, 255, 255)
    captioned = []
    for frame, label, box in zip(frames, labels, boxes, strict=True):
        width, height = frame.size
        canvas = Image.new(frame.mode, (width, height + strip_h), 0)
        canvas.paste(frame, (0, 0))
        x = max(_CAPTION_MARGIN, (width - (box[2] - box[0])) // 2) - box[0]
        y = height + _CAPTION_MARGIN - top
        ImageDraw.Draw(canvas).text((x, y), label, fill=white, font=font)
        captioned.append(canvas)
    return captioned


def make_gif(
    frame_paths: Sequence[PathLike],
    out_path: PathLike,
    duration_ms: int = 500,
    loop: int | None = 0,
    scale: int = 1,
    labels: Sequence[str] | None = None,
) -> Path:
    """Write an animated GIF with exactly one frame per input image and return its path.

    Args:
        frame_paths: image files (normally PNG grids), all of the same size. Greyscale
            frames stay greyscale; if any frame is colour, all are converted to RGB.
        out_path: destination ``.gif``; parent folders are created, the write is atomic.
        duration_ms: display time per frame (stored in GIF's 10 ms units).
        loop: 0 repeats forever, n > 0 is the GIF loop count, None plays once.
        scale: integer nearest-neighbour enlargement applied before captions.
        labels: optional caption per frame (e.g. "epoch 3"), drawn with Pillow's
            default font on a black strip below the frame.
    """
    from PIL import Image

    if not frame_paths:
        raise ValueError("make_gif needs at least one frame")
    if labels is not None and len(labels) != len(frame_paths):
        raise ValueError(f"got {len(labels)} labels for {len(frame_paths)} frames")
    if scale < 1:
        raise ValueError(f"scale must be an integer >= 1, got {scale}")
    if duration_ms < 0 or loop is not None and not 0 <= loop <= 0xFFFF:
        raise ValueError("duration_ms must be >= 0 and loop None or in 0..65535")
    frames = _load_frames(frame_paths)
    if scale > 1:
        frames = [
            f.resize((f.width * scale, f.height * scale), Image.Resampling.NEAREST) for f in frames
        ]
    if labels is not None:
        frames = _add_captions(frames, labels)
    delay = _graphic_control(min(round(duration_ms / 10), 0xFFFF))
    body = b"".join(delay + _encode_frame(frame) for frame in frames)
    payload = _header(frames[0].size, loop) + body + _TRAILER
    return atomic_write(out_path, lambda tmp: tmp.write_bytes(payload))
