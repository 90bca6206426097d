"""Safe file writing: a file is either absent, or complete (temporary file, fsync, rename);
and ganforge's user cache folder."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ganforge.errors import DataError, DiskFullError

PathLike = str | os.PathLike[str]
_DEFAULT_MODE = 0o644
# The temporary files atomic_write makes (mkstemp: "." + target name + "." + 8 characters
# + ".tmp"); those a killed process left behind are removed by remove_stale_temporaries.
TEMP_PATTERN = re.compile(r"\.[A-Za-z0-9_.-]+\.[A-Za-z0-9_]{8}\.tmp")
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def atomic_write(path: Path | str, write: Callable[[Path], None], size: int | None = None
                 ) -> Path:
    """`write` fills a temporary file in the destination folder, which then replaces `path`
    (after fsync), so readers never see a partial file and a failure leaves `path` as it was;
    a full disk is a DiskFullError naming `path` and the `size` it needed (when known)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it ordinary file permissions.
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else _DEFAULT_MODE)
        os.replace(tmp, target)
    except BaseException as exc:
        written = tmp.stat().st_size if tmp.exists() else 0
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise_if_disk_full(exc, target, size, written)
        raise
    return target


def raise_if_disk_full(exc: OSError, path: Path, size: int | None, written: int = 0) -> None:
    """Turn a full disk or quota (ENOSPC, EDQUOT) while writing `path` into a DiskFullError."""
    if exc.errno not in DISK_FULL:
        return
    try:
        free = f"{shutil.disk_usage(path.parent).free / 1e6:.1f} MB free"
    except OSError:
        free = "free space unknown"
    need = f"{size / 1e6:.1f} MB" if size is not None else f"more than {written / 1e6:.1f} MB"
    reason = "disk quota exceeded" if exc.errno == errno.EDQUOT else "disk full"
    raise DiskFullError(f"{path}: {reason} (writing it needs {need}; {free})") from None


def remove_stale_temporaries(folder: Path | str) -> list[Path]:
    """Remove the temporary files of interrupted atomic writes in `folder` (not below it):
    only regular files named as atomic_write names them. Returns what was removed."""
    removed = []
    for path in Path(folder).glob(".*.tmp"):
        if TEMP_PATTERN.fullmatch(path.name) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def read_regular(path: PathLike, limit: int, what: str) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes; anything else (missing,
    a folder, a FIFO, a device, unreadable, larger) is a one-line DataError naming `path`
    and `what` it is (e.g. "caption file"). A FIFO is opened without blocking and never
    read; a file that grows while read is still cut at `limit` + 1 bytes and refused."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise DataError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise DataError(f"{path}: {what} unreadable ({exc.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        os.close(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DataError(f"{path}: {what} is not a regular file")
        raise DataError(f"{path}: {what} of {info.st_size} bytes, more than {limit}")
    with os.fdopen(fd, "rb", buffering=0) as fh:
        try:
            data = _read_at_most(fh, limit + 1)
        except OSError as exc:
            raise DataError(f"{path}: {what} unreadable ({exc.strerror})") from None
    if len(data) > limit:
        raise DataError(f"{path}: {what} of more than {limit} bytes")
    return data


def _read_at_most(fh, count: int) -> bytes:
    chunks, left = [], count
    while left > 0:
        chunk = fh.read(min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def atomic_write_bytes(path: Path | str, data: bytes) -> Path:
    """Write `data` to `path` so that readers never see a partial file."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data), len(data))


def atomic_write_text(path: Path | str, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path | str, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cache_root() -> Path:
    """The user cache folder of ganforge: ``$XDG_CACHE_HOME/ganforge`` (when absolute), else
    ``~/.cache/ganforge``. Data sets, decoded images and caption embeddings are kept there."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "ganforge"
