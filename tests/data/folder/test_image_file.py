"""One image file made safe and square: header bounds before decoding, every mode to grey or
RGB, transparency on white, 16-bit scaled, crop or pad, the first frame of an animation."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from ganforge.data import image_file
from ganforge.data.image_file import ImageRefused, check_header, prepare_bytes, prepare_image


def _bytes(image: Image.Image, fmt: str, **kw) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **kw)
    return out.getvalue()


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height (and holds almost nothing)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    body = struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat = zlib.compress(b"\0" * 16)
    body += struct.pack(">I", len(idat)) + b"IDAT" + idat + struct.pack(
        ">I", zlib.crc32(b"IDAT" + idat))
    return b"\x89PNG\r\n\x1a\n" + body


@pytest.mark.parametrize("width,height,reason", [
    (50_000, 50_000, "too large"), (1, 65_500, "too large"), (20_000, 10, "too large"),
    (3000, 10, "too elongated")])
def test_headers_past_the_bounds_are_refused_before_decoding(width, height, reason):
    with pytest.raises(ImageRefused, match=reason):
        prepare_bytes(_png_header(width, height), 32, None)


def test_bound_on_pixels(monkeypatch):
    monkeypatch.setattr(image_file, "MAX_PIXELS", 99)
    with pytest.raises(ImageRefused, match="too large"):
        check_header(10, 10)
    check_header(9, 11)


def test_not_an_image_empty_and_truncated():
    with pytest.raises(ImageRefused, match="not an image"):
        prepare_bytes(b"hello world", 32, None)
    with pytest.raises(ImageRefused, match="empty file"):
        prepare_bytes(b"", 32, None)
    whole = _bytes(Image.new("RGB", (64, 64), (200, 10, 10)), "JPEG")
    with pytest.raises(ImageRefused, match="truncated or corrupt"):
        prepare_bytes(whole[: len(whole) // 3], 32, None)


def test_modes_become_grey_or_rgb():
    grey = prepare_bytes(_bytes(Image.new("L", (40, 30), 77), "PNG"), 16, None)
    assert grey.pixels.shape == (16, 16, 1) and grey.mode == "L"
    assert np.all(grey.pixels == 77)
    rgb = prepare_bytes(_bytes(Image.new("L", (40, 30), 77), "PNG"), 16, 3)
    assert rgb.pixels.shape == (16, 16, 3) and np.all(rgb.pixels == 77)
    palette = Image.new("RGB", (20, 20), (10, 200, 30)).convert("P")
    assert prepare_bytes(_bytes(palette, "GIF"), 8, None).pixels.shape == (8, 8, 3)


def test_transparency_is_composited_on_white():
    clear = Image.new("RGBA", (20, 20), (255, 0, 0, 0))
    out = prepare_bytes(_bytes(clear, "PNG"), 8, None).pixels
    assert out.shape == (8, 8, 3) and np.all(out == 255)


def test_sixteen_bit_grey_is_scaled_to_eight():
    array = np.full((10, 10), 65535, np.uint16)
    array[:5] = 0
    out = prepare_bytes(_bytes(Image.fromarray(array), "PNG"), 10, None)
    assert out.mode.startswith("I") and out.pixels[0, 0, 0] == 0 and out.pixels[9, 0, 0] == 255


def test_crop_keeps_the_centre_and_pad_adds_white():
    wide = np.zeros((20, 60, 3), np.uint8)
    wide[:, 20:40] = 255  # the centre square is white, the sides black
    data = _bytes(Image.fromarray(wide), "PNG")
    assert prepare_bytes(data, 20, None, "crop").pixels.min() > 240
    padded = prepare_bytes(data, 30, None, "pad").pixels
    assert padded[0, 0].tolist() == [255, 255, 255] and padded[15, 2].max() < 30


def test_gif_first_frame(tmp_path):
    frames = [Image.new("RGB", (16, 16), c) for c in ((250, 0, 0), (0, 0, 250))]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    pixel = prepare_image(str(path), 8, None).pixels[4, 4]
    assert pixel[0] > 200 and pixel[2] < 50


def test_large_downscale_uses_the_whole_image():
    array = np.zeros((800, 800, 3), np.uint8)
    array[::2] = 255  # fine stripes: a proper filter gives grey, point sampling black/white
    out = prepare_bytes(_bytes(Image.fromarray(array), "PNG"), 16, None).pixels
    assert 100 < out.mean() < 155
