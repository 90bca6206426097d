"""Safe, bounded, atomic unpacking: unsafe members stop everything and nothing is left."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from ganforge.data.archive import Limits, replace_folder, staging, unpack
from ganforge.data.flowers102 import install_folder
from ganforge.errors import DataError

LIMITS = Limits(members=10, member_bytes=1000, total_bytes=3000)


def _tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            info.size = len(data) if info.isfile() else 0
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return path


def _file(name: str) -> tuple[tarfile.TarInfo, bytes]:
    return tarfile.TarInfo(name), b"caption\n"


def _special(name: str, kind: bytes, link: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info, b""


@pytest.mark.parametrize(("member", "fragment"), [
    (_file("../evil.txt"), "climbs out with '..'"),
    (_file("top/../../evil.txt"), "climbs out with '..'"),
    (_file("/etc/evil.txt"), "absolute path"),
    (_special("top/link", tarfile.SYMTYPE, "/etc/passwd"), "refused"),
    (_special("top/hard", tarfile.LNKTYPE, "top/a.txt"), "refused"),
    (_special("top/dev", tarfile.CHRTYPE), "refused"),
    (_special("top/fifo", tarfile.FIFOTYPE), "refused"),
    ((tarfile.TarInfo("top/big.txt"), bytes(1001)), "more than the 1000 one file may take"),
])
def test_unsafe_or_oversized_members_refuse_the_whole_archive(tmp_path, member, fragment):
    archive = _tar(tmp_path / "a.tgz", [_file("top/a.txt"), member, _file("top/b.txt")])
    (tmp_path / "dest" / "top").mkdir(parents=True)
    (tmp_path / "dest" / "top" / "old.txt").write_text("old")
    with pytest.raises(DataError, match=fragment) as info:
        install_folder(archive, "top", tmp_path / "dest", LIMITS)
    assert "\n" not in str(info.value) and str(archive) in str(info.value)
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == ["top"]  # no temp left
    assert [p.name for p in (tmp_path / "dest" / "top").iterdir()] == ["old.txt"]
    assert not (tmp_path / "evil.txt").exists()


def test_too_many_members_and_too_many_bytes(tmp_path):
    many = _tar(tmp_path / "many.tgz", [_file(f"top/{i}.txt") for i in range(11)])
    with pytest.raises(DataError, match="more than 10 files"):
        unpack(many, tmp_path / "out1", lambda rel: rel, LIMITS)
    big = _tar(tmp_path / "big.tgz", [(tarfile.TarInfo(f"top/{i}"), bytes(900)) for i in range(4)])
    with pytest.raises(DataError, match="more than 3000 bytes in all"):
        unpack(big, tmp_path / "out2", lambda rel: rel, LIMITS)


def test_zip_archives_and_their_symlinks(tmp_path):
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as zf:
        zf.writestr("release/top/a.txt", "a")
        zf.writestr("release/other.bin", "skipped")
    assert install_folder(good, "top", tmp_path / "dest", LIMITS) == 1
    assert (tmp_path / "dest" / "top" / "a.txt").read_text() == "a"
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        link = zipfile.ZipInfo("top/link")
        link.external_attr = (0o120777 << 16)
        zf.writestr(link, "/etc/passwd")
    with pytest.raises(DataError, match="is a link or a device"):
        install_folder(evil, "top", tmp_path / "dest", LIMITS)
    assert (tmp_path / "dest" / "top" / "a.txt").read_text() == "a"  # the old one stays


def test_a_damaged_archive_is_one_line(tmp_path):
    archive = _tar(tmp_path / "a.tgz", [_file("top/a.txt")])
    archive.write_bytes(archive.read_bytes()[:20])
    with pytest.raises(DataError, match="not a readable tar or zip archive"):
        unpack(archive, tmp_path / "out", lambda rel: rel, LIMITS)


def test_an_archive_without_the_folder_is_refused(tmp_path):
    archive = _tar(tmp_path / "a.tgz", [_file("other/a.txt")])
    with pytest.raises(DataError, match="holds no top/ folder"):
        install_folder(archive, "top", tmp_path / "dest", LIMITS)
    assert list((tmp_path / "dest").iterdir()) == []


def test_replace_folder_swaps_in_the_new_one(tmp_path):
    target = tmp_path / "w" / "t"
    target.mkdir(parents=True)
    (target / "old").write_text("1")
    with staging(target) as stage:
        (stage / "new").mkdir()
        (stage / "new" / "x").write_text("2")
        replace_folder(stage / "new", target)
    assert [p.name for p in target.iterdir()] == ["x"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["t"]
