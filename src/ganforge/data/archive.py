"""Unpacking a downloaded archive (tar, tar.gz, zip) safely and atomically.

Only regular files are written, each under a relative name without '..': an absolute
name, a '..' part, a link (symbolic or hard), a device or a fifo stops the whole unpacking
with one line (tarfile's `data_filter` is applied too). Member count, each member's size and
the total size are bounded before anything is written, and every copy is a bounded stream.
Files go into a temporary folder beside the destination, which is renamed into place only
once everything is written: the destination is either absent, the old one, or complete.
"""

from __future__ import annotations

import shutil
import stat
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from ganforge.errors import DataError

CHUNK = 1 << 20
# Which members to keep, and under which relative name (None: skip the member).
Select = Callable[[PurePosixPath], PurePosixPath | None]


@dataclass(frozen=True)
class Limits:
    """Bounds on what one unpacking may write."""

    members: int  # files kept
    member_bytes: int  # one file
    total_bytes: int  # all files kept

    def __post_init__(self) -> None:
        if min(self.members, self.member_bytes, self.total_bytes) < 1:
            raise ValueError(f"archive limits must be positive, got {self}")


def safe_name(name: str, archive: Path) -> PurePosixPath:
    """The relative path of a member, or one line for an absolute one or one with '..'."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ":" in (path.parts[0] if path.parts else ""):
        raise DataError(f"{archive}: member {name[:120]!r} has an absolute path; refused")
    if ".." in path.parts:
        raise DataError(f"{archive}: member {name[:120]!r} climbs out with '..'; refused")
    return PurePosixPath(*[p for p in path.parts if p not in ("", ".")])


class _Budget:
    """Counts what has been written against the limits."""

    def __init__(self, archive: Path, limits: Limits):
        self.archive, self.limits, self.members, self.bytes = archive, limits, 0, 0

    def admit(self, name: str, size: int) -> None:
        lim = self.limits
        self.members += 1
        self.bytes += size
        if size > lim.member_bytes:
            raise DataError(f"{self.archive}: member {name[:120]!r} is {size} bytes, more "
                            f"than the {lim.member_bytes} one file may take")
        if self.members > lim.members:
            raise DataError(f"{self.archive}: more than {lim.members} files; refused")
        if self.bytes > lim.total_bytes:
            raise DataError(f"{self.archive}: more than {lim.total_bytes} bytes in all; "
                            "refused")


def _copy(source: IO[bytes], target: Path, size: int, where: str) -> None:
    """Write exactly `size` bytes of `source` to `target` (a new file), bounded."""
    target.parent.mkdir(parents=True, exist_ok=True)
    left = size
    with open(target, "xb") as out:
        while left > 0 and (chunk := source.read(min(CHUNK, left))):
            out.write(chunk)
            left -= len(chunk)
    if left or source.read(1):
        raise DataError(f"{where}: the data does not match the size the archive states")


def _tar(archive: Path, folder: Path, select: Select, budget: _Budget) -> None:
    with tarfile.open(archive, "r:*") as tar:
        for member in tar:
            rel = safe_name(member.name, archive)
            try:
                tarfile.data_filter(member, str(folder))
            except tarfile.FilterError as exc:
                raise DataError(f"{archive}: {exc}; refused") from None
            if member.isdir():
                continue
            if not member.isfile():
                raise DataError(f"{archive}: member {member.name[:120]!r} is a link or a "
                                "device, not a file; refused")
            kept = select(rel)
            if kept is None:
                continue
            budget.admit(member.name, member.size)
            source = tar.extractfile(member)
            assert source is not None  # a regular file always has data
            _copy(source, folder / kept, member.size, f"{archive}: {member.name[:120]}")


def _zip(archive: Path, folder: Path, select: Select, budget: _Budget) -> None:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            rel = safe_name(info.filename, archive)
            kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the zip tool wrote none
            if info.is_dir():
                continue
            if kind not in (0, stat.S_IFREG):
                raise DataError(f"{archive}: member {info.filename[:120]!r} is a link or a "
                                "device, not a file; refused")
            kept = select(rel)
            if kept is None:
                continue
            budget.admit(info.filename, info.file_size)
            with zf.open(info) as source:
                _copy(source, folder / kept, info.file_size, f"{archive}: {info.filename[:120]}")


def unpack(archive: Path, folder: Path, select: Select, limits: Limits) -> int:
    """Write the selected regular files of `archive` (tar of any compression, or zip) into
    the new folder `folder`; returns how many. One line for any unsafe or oversized member
    and for a damaged archive."""
    budget = _Budget(archive, limits)
    try:
        if zipfile.is_zipfile(archive):
            _zip(archive, folder, select, budget)
        else:
            _tar(archive, folder, select, budget)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
        text = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise DataError(f"{archive}: not a readable tar or zip archive ({text})") from None
    return budget.members


@contextmanager
def staging(target: Path) -> Iterator[Path]:
    """A temporary folder beside `target`, removed on the way out whatever happens; what
    is renamed out of it in the meantime stays."""
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def replace_folder(new: Path, target: Path) -> None:
    """Put the complete folder `new` at `target` (same file system), replacing an old one:
    the old one is moved aside first and removed only after the new one is in place."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old."))
        target.rename(old / target.name)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
