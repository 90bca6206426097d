"""Folders and archives as sources: members listed and read without unpacking; links out of
the folder, special files, absolute or '..' names and oversized members refused."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from ganforge.data.folder import listing as listing_module
from ganforge.data.folder import source as src
from ganforge.data.folder.source import open_source
from ganforge.errors import DataError
from tests.data.folder.conftest import make_folder


def _tar(path: Path, root: Path, mode: str, extra: dict[str, bytes] = ()) -> Path:
    with tarfile.open(path, mode) as tar:
        tar.add(root, arcname="pets")
        for name, data in dict(extra).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _zip(path: Path, root: Path, extra: dict[str, bytes] = ()) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for file in sorted(root.rglob("*")):
            if file.is_file():
                z.write(file, f"pets/{file.relative_to(root).as_posix()}")
        for name, data in dict(extra).items():
            z.writestr(name, data)
    return path


@pytest.mark.parametrize("kind", ["zip", "tar", "tar.gz"])
def test_archives_list_and_read_like_the_folder(tmp_path, kind):
    root = make_folder(tmp_path / "pets", 6, ("cat", "dog"), "jsonl")
    path = tmp_path / f"pets.{kind}"
    archive = _zip(path, root) if kind == "zip" else \
        _tar(path, root, "w:gz" if kind.endswith("gz") else "w")
    source = open_source(archive)
    names = sorted(m.name for m in source.listing().members)
    want = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert names == want  # the archive's one top folder (pets/) is dropped
    assert source.read("metadata.jsonl") == (root / "metadata.jsonl").read_bytes()
    assert not any(tmp_path.glob("**/*.tmp")) and sorted(os.listdir(tmp_path)) == \
        sorted(["home", "pets", path.name])  # nothing unpacked beside the archive


def _without_utf8_flags(path: Path) -> Path:
    """The zip with every header's UTF-8 flag (bit 11) cleared, its names' bytes unchanged:
    what Info-ZIP's `zip -r` writes for UTF-8 names."""
    data = bytearray(path.read_bytes())
    for signature, at in ((b"PK\x03\x04", 7), (b"PK\x01\x02", 9)):  # flags high bytes
        start = data.find(signature)
        while start >= 0:
            data[start + at] &= 0xFF ^ 0x08  # bit 11 of the flag word
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))
    return path


def test_utf8_member_names_without_the_utf8_flag_are_read_as_utf8(tmp_path):
    root = make_folder(tmp_path / "pets", 4, ("\u00f1and\u00fa bird", "caf\u00e9"))
    archive = _without_utf8_flags(_zip(tmp_path / "pets.zip", root))
    with zipfile.ZipFile(archive) as z:
        assert not any(info.flag_bits & 0x800 for info in z.infolist())
        assert any("\u251c" in info.filename for info in z.infolist())  # cp437's reading
    source = open_source(archive)
    names = sorted(m.name for m in source.listing().members)
    assert names == sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                           if p.is_file())
    assert source.read(names[0]) == (root / names[0]).read_bytes()


def test_archive_members_climbing_out_are_refused(tmp_path):
    root = make_folder(tmp_path / "pets", 2)
    evil = {"../evil.png": b"x", "/abs.png": b"y"}
    for archive in (_zip(tmp_path / "a.zip", root, evil),
                    _tar(tmp_path / "a.tar", root, "w", evil)):
        listing = open_source(archive).listing()
        assert all(".." not in m.name and not m.name.startswith("/")
                   for m in listing.members)
        assert sum("refused" in reason for _, reason in listing.skipped) == 2


def test_archive_links_are_not_followed(tmp_path):
    path = tmp_path / "links.tar"
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("link.png")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    listing = open_source(path).listing()
    assert listing.members == [] and listing.skipped[0][0] == "link.png"


def test_passed_over_members_are_named_without_the_archives_top_folder(tmp_path):
    root = make_folder(tmp_path / "pets", 4)
    path = _tar(tmp_path / "pets.tar", root, "w")
    with tarfile.open(path, "a") as tar:
        info = tarfile.TarInfo("pets/link.png")
        info.type, info.linkname = tarfile.SYMTYPE, "img0000.png"
        tar.addfile(info)
    listing = open_source(path).listing()
    assert dict(listing.skipped) == {"link.png": "not a regular file (a link or device)"}
    assert "img0000.png" in {m.name for m in listing.members}


def test_archive_bigger_unpacked_than_the_bound_is_refused(tmp_path, monkeypatch):
    root = make_folder(tmp_path / "pets", 4)
    archive = _zip(tmp_path / "big.zip", root)
    monkeypatch.setattr(src, "MAX_TOTAL_BYTES", 100)
    with pytest.raises(DataError, match="unpacked; refused"):
        open_source(archive).listing()


def test_links_out_of_the_folder_and_special_files_are_skipped(tmp_path):
    root = make_folder(tmp_path / "pets", 2)
    outside = make_folder(tmp_path / "outside", 1) / "img0000.png"
    (root / "out.png").symlink_to(outside)
    (root / "in.png").symlink_to(root / "img0000.png")
    os.mkfifo(root / "fifo.png")
    listing = open_source(root).listing()
    reasons = dict(listing.skipped)
    assert reasons["out.png"] == "link leading out of the folder"
    assert reasons["fifo.png"] == "not a regular file"
    assert reasons["in.png"] == "link to a file of the folder (read once, as itself)"
    assert "img0000.png" in {m.name for m in listing.members}  # the file, once


def test_a_link_into_a_hidden_folder_is_read(tmp_path):
    root = make_folder(tmp_path / "pets", 2)
    (root / ".store").mkdir()
    (root / "img0000.png").rename(root / ".store" / "kept.png")
    (root / "shown.png").symlink_to(root / ".store" / "kept.png")
    assert "shown.png" in {m.name for m in open_source(root).listing().members}


def test_oversized_file_is_skipped(tmp_path, monkeypatch):
    root = make_folder(tmp_path / "pets", 2)
    monkeypatch.setattr(listing_module, "MAX_MEMBER_BYTES", 10)
    listing = open_source(root).listing()
    assert listing.members == [] and all("too large" in r for _, r in listing.skipped)


def test_listing_key_changes_with_the_folder(tmp_path):
    root = make_folder(tmp_path / "pets", 3)
    key = open_source(root).listing().key()
    assert open_source(root).listing().key() == key
    os.utime(root / "img0000.png", ns=(1, 1))
    assert open_source(root).listing().key() != key


def test_not_a_folder_or_archive(tmp_path):
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(DataError, match="not a folder or a .zip"):
        open_source(tmp_path / "file.txt")
    with pytest.raises(DataError, match="no such folder"):
        open_source(tmp_path / "missing")
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    with pytest.raises(DataError, match="not a readable zip"):
        open_source(tmp_path / "bad.zip").listing()


def test_names_that_a_list_could_not_tell_apart_are_quoted():
    from ganforge.data.folder.listing import first_names

    assert first_names([" x", "x", "a, b", "plain"], 3) == '" x", x, "a, b" ...'
    assert first_names(["one", "two"], 5) == "one, two"


@pytest.mark.parametrize("top", ["pets/", ""])
def test_a_zip_made_on_macos_reads_as_the_folder(tmp_path, monkeypatch, top):
    """Finder's __MACOSX/ tree of AppleDouble files (and its folder entries), `._NAME` files
    beside the images (other macOS archivers) and .DS_Store are passed over without a word,
    with a top folder or without one: the same images, classes and captions as the folder."""
    from ganforge.data.folder.prepare import PrepareOptions, prepare

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make_folder(tmp_path / "pets", 8, ("cat", "dog"), "txt")
    apple = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "  # an AppleDouble header
    path = tmp_path / "pets.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("__MACOSX/"), b"")
        if top:
            z.writestr(zipfile.ZipInfo(top), b"")
            z.writestr(zipfile.ZipInfo(f"__MACOSX/{top}"), b"")
            z.writestr(f"__MACOSX/._{top.rstrip('/')}", apple)
        z.writestr(f"{top}.DS_Store", b"\x00\x00\x00\x01Bud1")
        for file in sorted(root.rglob("*")):  # class folders too, as Finder writes them
            name = file.relative_to(root).as_posix()
            folder, _, base = name.rpartition("/")
            double = f"{folder}/._{base}" if folder else f"._{base}"
            z.write(file, top + name)
            z.writestr(top + double, apple)
            z.writestr(f"__MACOSX/{top}{double}", apple)
    options = PrepareOptions(image_size=16)
    zipped, plain = prepare(path, options, show=False), prepare(root, options, show=False)
    assert zipped.manifest["skipped"] == [] and zipped.manifest["class_notes"] == []
    for field in ("items", "classes", "counts", "captioned"):
        assert zipped.manifest[field] == plain.manifest[field], field
    assert (zipped.images == plain.images).all()


def test_a_zip_member_outside_the_top_folder_never_stands_in_for_one_inside(tmp_path):
    """A passed-over member whose name, cut by the top folder's length, reads as an image's
    (.pet/cat/0.png beside pets/cat/0.png) is not what that image's name reads."""
    path = tmp_path / "pets.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("pets/cat/0.png", b"the cat")
        z.writestr("pets/dog/0.png", b"the dog")
        z.writestr(".pet/cat/0.png", b"hidden")
    source = open_source(path)
    assert {m.name for m in source.listing().members} >= {"cat/0.png", "dog/0.png"}
    assert source.read("cat/0.png") == b"the cat"
