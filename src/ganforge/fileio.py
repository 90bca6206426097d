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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from ganforge.errors import DataError, DiskFullError, OutputError

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
    refuse_run_file(target)
    output_folder(target.parent)
    mode = replaceable(target)
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{target}: cannot write in {target.parent}: {_reason(exc)}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it ordinary file permissions.
        os.chmod(tmp, mode)
        replaceable(target)  # again: something else may have been put there meanwhile
        os.replace(tmp, target)
    except BaseException as exc:
        written = tmp.stat().st_size if tmp.exists() else 0
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise_if_disk_full(exc, target, size, written)
        raise
    return target


_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"))


def _reason(exc: OSError) -> str:
    if exc.errno == errno.EROFS:
        return "read-only file system"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return (exc.strerror or type(exc).__name__).lower()


def replaceable(target: Path) -> int:
    """The mode a new file at `target` gets (the old file's, else 0644); an OutputError when
    something other than a regular file stands there: outputs never replace a device, a
    link (or what it points to), a folder, a FIFO or a socket."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return _DEFAULT_MODE
    except OSError as exc:
        raise OutputError(f"{target}: cannot write it: {_reason(exc)}") from None
    if stat.S_ISREG(info.st_mode):
        return info.st_mode & 0o777
    kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
    raise OutputError(f"{target}: {kind}; ganforge replaces only regular files (choose "
                      "another path)")


# A run folder's own files, as ganforge.runs.folder names them (fileio cannot import it; a
# test keeps the two in step): only the run's own writers replace them (own_run_files).
RUN_OWN_FILES = ("config.toml", "metrics.jsonl")
RUN_CHECKPOINTS = "checkpoints"
_OWN_RUN_FILES: ContextVar[bool] = ContextVar("ganforge_own_run_files", default=False)


@contextmanager
def own_run_files() -> Iterator[None]:
    """Inside it, a run folder's own files may be written (training's config, records and
    checkpoints); outside it, atomic_write and check_output refuse them."""
    token = _OWN_RUN_FILES.set(True)
    try:
        yield
    finally:
        _OWN_RUN_FILES.reset(token)


def _is_run_folder(folder: Path) -> bool:
    return all((folder / name).is_file() for name in RUN_OWN_FILES) and \
        (folder / RUN_CHECKPOINTS).is_dir()


def refuse_run_file(target: Path) -> None:
    """An OutputError (one line) when `target` is a run folder's config.toml or metrics.jsonl
    or lies in its checkpoints/ (a folder holding config.toml, metrics.jsonl and
    checkpoints/), unless written inside own_run_files: an output a user names never
    destroys a run."""
    if _OWN_RUN_FILES.get():
        return
    try:
        folder = target.parent.resolve()
    except (OSError, RuntimeError):  # a loop of links: the write itself says so
        return
    if target.name in RUN_OWN_FILES and _is_run_folder(folder):
        raise OutputError(f"{target}: the {target.name} of run {folder}; only training "
                          "writes a run's own files (choose another path)")
    for above in (folder, *folder.parents):
        if above.name == RUN_CHECKPOINTS and _is_run_folder(above.parent):
            raise OutputError(f"{target}: inside the {RUN_CHECKPOINTS}/ of run "
                              f"{above.parent}; only training writes there (choose another "
                              "path)")


def output_folder(folder: PathLike) -> Path:
    """`folder`, created with its parents when missing; an OutputError (one line) when it or a
    folder above it is a file, or it cannot be created or written in."""
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()),
                       path)
        raise OutputError(f"{path}: not a folder" if blocker == path else
                          f"{path}: cannot be a folder ({blocker} is not a folder)") from None
    except OSError as exc:
        raise OutputError(f"{path}: cannot create the folder ({_reason(exc)})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: cannot write in it (read-only or permission denied)")
    return path


def check_output(path: PathLike) -> Path:
    """Refuse early (before a long computation) an output path atomic_write would refuse:
    something other than a regular file at it, a file above it, or a nearest existing folder
    that cannot be written in, or a run's own file (refuse_run_file). Creates nothing."""
    target = Path(path)
    refuse_run_file(target)
    above = next((p for p in target.parents if os.path.lexists(p)), Path("."))
    if not above.is_dir():
        raise OutputError(f"{target}: cannot be written ({above} is not a folder)")
    if not os.access(above, os.W_OK | os.X_OK):
        raise OutputError(f"{target}: cannot write in {above} (read-only or permission denied)")
    replaceable(target)
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


MAX_JSON_DEPTH = 64  # arrays and objects inside one another; ganforge's own records use < 10
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def json_depth(data: bytes) -> int:
    """How deeply the arrays and objects of JSON text `data` nest (strings skipped), counted
    without a parser, so any depth is measured in linear time and bounded memory."""
    import numpy as np

    codes = np.frombuffer(_JSON_STRING.sub(b"", data), np.uint8)
    steps = (np.isin(codes, (ord("["), ord("{"))).astype(np.int64)
             - np.isin(codes, (ord("]"), ord("}"))))
    return int(np.cumsum(steps).max(initial=0))


def read_json(path: PathLike, limit: int, what: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON value in `path` (read_regular's checks, then UTF-8, then at most `max_depth`
    levels of nesting, checked before parsing); a one-line DataError naming `path` and what
    it is otherwise. Nothing deep reaches the recursive parser."""
    data = read_regular(path, limit, what)
    if json_depth(data) > max_depth:
        raise DataError(f"{path}: {what} nested more than {max_depth} levels deep")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DataError(f"{path}: {what} is not valid JSON ({type(exc).__name__})") from None


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
