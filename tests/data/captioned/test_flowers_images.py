"""Images of the flowers layout under attack (issue 37, class 2): width, height, their
product and the aspect ratio are bounded from the header before any pixel is decoded
(data/image_file.check_header); a FIFO in place of an image is refused, never waited on."""

from __future__ import annotations

import io
import os
import resource
import struct
import threading
import zlib

import numpy as np
import pytest
from PIL import Image

from ganforge.data.captioned import flowers
from ganforge.errors import DataError


def _jpeg(width: int, height: int, claim: tuple[int, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 40)).save(buffer, format="JPEG")
    data = bytearray(buffer.getvalue())
    if claim is not None:  # the header claims another size (a decompression bomb)
        at = data.index(b"\xff\xc0") + 5
        data[at:at + 4] = struct.pack(">HH", claim[1], claim[0])
    return bytes(data)


def _png_claiming(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (4, 4)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4:ihdr + 12] = struct.pack(">II", width, height)
    data[ihdr + 17:ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(data[ihdr:ihdr + 17])))
    return bytes(data)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("data,fragment", [
    (_jpeg(16, 16, claim=(50_000, 50_000)), "too large"),
    (_jpeg(16, 16, claim=(10_000, 10_000)), "too large \\(10000x10000"),
    (_jpeg(16, 16, claim=(13_000, 13_000)), "too large \\(13000x13000"),
    (_jpeg(1, 4000), "too elongated \\(1x4000"),
    (_jpeg(16, 16, claim=(1, 65_500)), "too large \\(1x65500"),
    (_png_claiming(1, 2_000_000), "too large \\(1x2000000"),
    (_png_claiming(100, 10_000), "too elongated \\(100x10000"),
    (b"", "empty|not an image|unreadable"),
])
def test_an_image_over_the_bounds_is_refused_from_its_header(tmp_path, data, fragment):
    path = tmp_path / "image_00001.jpg"
    path.write_bytes(data)
    before = _peak_mb()
    with pytest.raises(DataError, match=fragment):
        flowers.read_image(path)
    assert _peak_mb() - before < 100  # nothing the header claims was allocated


def test_an_ordinary_photo_still_reads_as_before(tmp_path):
    path = tmp_path / "image_00001.jpg"
    path.write_bytes(_jpeg(120, 80))
    pixels = flowers.read_image(path)
    assert pixels.shape == (3, 64, 64) and pixels.dtype == np.uint8
    assert pixels[0].mean() > 150 and pixels[1].mean() < 80


def test_a_fifo_in_place_of_an_image_is_refused_at_once(tmp_path):
    path = tmp_path / "image_00001.jpg"
    os.mkfifo(path)
    result = {}

    def read():
        try:
            flowers.read_image(path)
        except DataError as exc:
            result["error"] = str(exc)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "read_image hung on a FIFO"
    assert "not a regular file" in result["error"]


def test_the_synthetic_flowers_check_bounds_the_header_too(tmp_path):
    from ganforge.data.synthetic_flowers.load import check_image

    path = tmp_path / "image_00001.jpg"
    path.write_bytes(_jpeg(16, 16, claim=(50_000, 50_000)))
    assert "too large" in check_image(path)
    path.unlink()
    os.mkfifo(path)
    assert "not a regular file" in check_image(path)
    path.unlink()
    path.write_bytes(_jpeg(64, 64))
    assert check_image(path) is None


def test_an_unreadable_jpg_folder_is_one_line(flowers_root, monkeypatch):
    from pathlib import Path

    from ganforge.data import load_dataset

    real_stat = Path.stat

    def denied(self, *args, **kwargs):  # what a jpg/ without read permission gives a user
        if self.parent.name == "jpg":
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", denied)
    with pytest.raises(DataError, match=r"image_00001.jpg: unreadable \(Permission denied\)"):
        load_dataset("flowers102", "train", flowers_root.parent, text_encoder=None)
