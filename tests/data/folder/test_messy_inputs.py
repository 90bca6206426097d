"""Folders as users bring them: names that are not UTF-8 or hold newlines, damaged or
unreadable archive members, zips made by macOS Finder, oversized or conflicting metadata,
names macOS wrote decomposed, photos with an EXIF orientation, 32-bit and float images, an
empty file, an unwritable cache. Each is read, skipped with its reason, or refused in one
line; none ends in a traceback."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganforge.cli import main
from ganforge.data.folder import listing as listing_module
from ganforge.data.folder import source as src
from ganforge.data.folder.conventions import plan
from ganforge.data.folder.load import printable, summary
from ganforge.data.folder.prepare import PrepareOptions, prepare
from ganforge.data.folder.source import open_source
from ganforge.data.folder.split import split_of
from ganforge.data.image_file import prepare_image
from ganforge.errors import DataError


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def png(colour="red", size=(20, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def solid(folder: Path, names, colour="red") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(png(colour))
    return folder


def _prepared(path, **options):
    return prepare(path, PrepareOptions(image_size=16, **options), show=False)


def _skipped(p) -> dict[str, str]:
    return {s["name"]: s["reason"] for s in p.manifest["skipped"]}


def test_a_name_that_is_not_utf8_is_read_and_shown_escaped(tmp_path):
    folder = solid(tmp_path / "latin", ["a.png", "b.png", os.fsdecode(b"caf\xe9.png")])
    p = _prepared(folder)
    assert len(p.manifest["items"]) == 3
    assert printable(os.fsdecode(b"caf\xe9.png")) == "caf\\xe9.png"
    assert split_of([os.fsdecode(b"caf\xe9.png"), "a.png"], 0.5).count("test") == 1


def test_a_name_with_a_newline_cannot_break_the_summary(tmp_path):
    folder = solid(tmp_path / "nl", ["a.png", "b.png"])
    (folder / "notes\nmore.doc").write_text("x")
    lines = summary(_prepared(folder))
    assert any("notes\\nmore.doc" in line for line in lines)
    assert not any(line.startswith("more.doc") for line in lines)


def test_a_damaged_zip_member_is_skipped_with_its_reason(tmp_path):
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for i in range(3):
            zf.writestr(f"{i}.png", png())
    data = bytearray(path.read_bytes())
    at = data.index(b"IDAT") + 8  # a byte of the first image's pixels
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    p = _prepared(path)
    assert len(p.manifest["items"]) == 2
    assert _skipped(p)["0.png"].startswith("truncated or corrupt image (Bad CRC-32")


def test_a_member_python_cannot_decompress_is_skipped(tmp_path, monkeypatch):
    path = tmp_path / "method.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(3):
            zf.writestr(f"{i}.png", png())
    real_open = zipfile.ZipFile.open

    def unsupported(self, name, *args, **kwargs):
        if getattr(name, "filename", name) == "1.png":
            raise NotImplementedError("That compression method is not supported")
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", unsupported)
    p = _prepared(path)
    assert "compression method is not supported" in _skipped(p)["1.png"]


def test_a_damaged_zip_metadata_file_is_listed_not_raised(tmp_path):
    path = tmp_path / "meta.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("0.png", png())
        zf.writestr("1.png", png())
        zf.writestr("metadata.jsonl", '{"file_name": "0.png", "text": "a red square"}\n')
    data = bytearray(path.read_bytes())
    data[data.index(b"a red square")] ^= 0x01
    path.write_bytes(bytes(data))
    p = _prepared(path)
    assert "Bad CRC-32" in _skipped(p)["metadata.jsonl"] or \
        "no usable caption" in _skipped(p)["metadata.jsonl"]
    assert not p.manifest["captioned"]


def test_a_macos_zip_keeps_its_classes_and_captions(tmp_path):
    path = tmp_path / "pets.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for pet in ("cat", "dog"):
            for i in range(2):
                zf.writestr(f"pets/{pet}/{i}.png", png())
                zf.writestr(f"__MACOSX/pets/{pet}/._{i}.png", b"\x00\x05\x16\x07")
        zf.writestr("README.md", "my pets")
    p = _prepared(path)
    assert p.manifest["classes"] == ["cat", "dog"]
    assert p.manifest["skipped"] == []


def test_a_large_metadata_file_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(listing_module, "MAX_MEMBER_BYTES", 200)  # an image or caption file's bound
    folder = solid(tmp_path / "shop", ["a.png", "b.png"])
    for name in ("a.png", "b.png"):  # the images stay under the bound: read them as before
        (folder / name).write_bytes(png(size=(2, 2)))
    rows = "".join(f'{{"file_name": "{n}", "text": "a small red thing {"x" * 100}"}}\n'
                   for n in ("a.png", "b.png"))
    (folder / "metadata.jsonl").write_text(rows)
    assert len(rows) > 200
    listing = open_source(folder).listing()
    assert {m.name for m in listing.members} == {"a.png", "b.png", "metadata.jsonl"}
    assert plan(listing, open_source(folder).read).captioned


def test_unusable_metadata_is_said_and_the_other_file_named(tmp_path):
    folder = solid(tmp_path / "semi", ["a.png", "b.png"])
    (folder / "metadata.csv").write_text("file_name;text\na.png;red\n")
    (folder / "metadata.jsonl").write_text("not json\n")
    p = plan(open_source(folder).listing(), open_source(folder).read)
    reasons = dict(p.skipped)
    assert reasons["metadata.csv"] == "not read: metadata.jsonl gives the captions"
    assert reasons["metadata.jsonl"].startswith("no usable caption in it")
    assert not p.captioned and len(p.names) == 2


def test_a_huge_csv_header_is_read(tmp_path):
    folder = solid(tmp_path / "csv", ["a.png", "b.png"])
    (folder / "metadata.csv").write_text("file_name,text," + "x" * 200_000 + "\na.png,red,\n")
    p = plan(open_source(folder).listing(), open_source(folder).read)
    assert p.captioned and p.names == ["a.png"] and p.captions == [["red"]]
    assert p.skipped == [("b.png", "no caption")]


def test_decomposed_names_match_composed_metadata(tmp_path):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "café.png")
    folder = solid(tmp_path / "nfd", [decomposed, "b.png"])
    (folder / "metadata.jsonl").write_text(
        '{"file_name": "café.png", "text": "a cup"}\n{"file_name": "b.png", "text": "a b"}\n',
        encoding="utf-8")
    p = plan(open_source(folder).listing(), open_source(folder).read)
    assert p.captioned and len(p.names) == 2 and p.skipped == []


def test_exif_orientation_is_applied(tmp_path):
    pixels = np.zeros((20, 40, 3), np.uint8)
    pixels[:, :20] = (255, 0, 0)  # left half red, right half blue, as stored
    pixels[:, 20:] = (0, 0, 255)
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[0x0112] = 6  # shown turned a quarter clockwise: red on top
    image.save(tmp_path / "photo.jpg", exif=exif, quality=95)
    done = prepare_image(str(tmp_path / "photo.jpg"), 8, 3, "pad").pixels
    assert done[1, 4, 0] > 200 and done[1, 4, 2] < 60  # top: red
    assert done[6, 4, 2] > 200 and done[6, 4, 0] < 60  # bottom: blue


def test_wide_grey_images_are_on_fixed_scales(tmp_path):
    Image.fromarray(np.full((10, 10), 1000, np.int32), "I").save(tmp_path / "i.tif")
    Image.fromarray(np.full((10, 10), 65535, np.int32), "I").save(tmp_path / "top.tif")
    Image.fromarray(np.full((10, 10), 0.5, np.float32), "F").save(tmp_path / "f.tif")
    nan = np.full((10, 10), np.nan, np.float32)
    Image.fromarray(nan, "F").save(tmp_path / "nan.tif")
    value = {n: int(prepare_image(str(tmp_path / f"{n}.tif"), 8, None).pixels[0, 0, 0])
             for n in ("i", "top", "f", "nan")}
    assert value == {"i": 4, "top": 255, "f": 128, "nan": 0}


def test_an_empty_image_file_says_so(tmp_path):
    folder = solid(tmp_path / "e", ["a.png", "b.png"])
    (folder / "zero.png").write_bytes(b"")
    assert _skipped(_prepared(folder))["zero.png"] == "empty file"


def test_half_at_most_is_held_out():
    assert split_of(["a", "b", "c"], 0.5).count("test") == 1
    assert split_of(["a", "b"], 0.5).count("test") == 1


def test_one_image_is_not_called_no_image_files(tmp_path):
    folder = solid(tmp_path / "one", ["a.png"])
    with pytest.raises(DataError, match=r"1 usable image\(s\).*nothing else was skipped"):
        _prepared(folder)


def test_an_unwritable_cache_is_one_line(tmp_path, monkeypatch, capsys):
    (tmp_path / "cachefile").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cachefile"))
    folder = solid(tmp_path / "c", ["a.png", "b.png"])
    assert main(["data", "check", str(folder)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("ganforge: error:") and "cache" in err[-1]


def test_a_tar_that_is_not_one_is_one_line(tmp_path, capsys):
    (tmp_path / "fake.tar.gz").write_bytes(b"this is text, not a tar archive\n" * 4)
    assert main(["data", "check", str(tmp_path / "fake.tar.gz")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a readable tar archive" in err[0]


def test_a_tar_damaged_after_its_listing_is_one_line(tmp_path, monkeypatch):
    path = tmp_path / "pics.tar"
    with tarfile.open(path, "w") as tar:
        for i in range(3):
            info = tarfile.TarInfo(f"{i}.png")
            data = png()
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    source = open_source(path)
    source.listing()

    def broken(self):
        raise OSError("Compressed file ended before the end-of-stream marker")

    monkeypatch.setattr(src.TarSource, "_open", broken)
    with pytest.raises(DataError, match="damaged tar archive"):
        list(source.read_where(lambda name: True))


def test_a_class_model_on_a_folder_without_classes_says_where_classes_come_from(
        tmp_path, capsys):
    folder = solid(tmp_path / "loose", ["a.png", "b.png", "c.png"])
    assert main(["train", "--arch", "cdcgan", "--dataset", str(folder), "--image-size", "32",
                 "--max-steps", "1", "--eval-every", "0", "--no-progress",
                 "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("ganforge: error: arch cdcgan needs a data set with at least two")
    assert "one subfolder per class" in err[-1]
