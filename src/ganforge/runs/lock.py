"""One writer per run folder: `run_lock(RUN)` holds an exclusive lock on RUN/.lock while a
process trains into RUN; a second writer (another `--resume auto`, a `--force` while one runs)
is refused in one line before it changes anything. The lock is the kernel's (flock), so a
process killed with SIGKILL releases it; the file itself stays and is never trusted."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from ganforge.errors import ConfigError
from ganforge.fileio import output_folder
from ganforge.runtime.ranks import writer_process

LOCK_NAME = ".lock"


def _holder(fd: int) -> str:
    """' (pid N)' from what the holder wrote into the lock file, when it reads as a pid."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (pid {text})" if text.isdigit() else ""


def _open(path: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        return os.open(path, flags, 0o644)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot open the run's lock file ({exc.strerror}); is it a "
                          "link or a folder?") from None


@contextlib.contextmanager
def run_lock(folder: Path | str) -> Iterator[Path]:
    """Hold RUN's lock for the block (RUN is created when missing). A folder this call made
    and left holding nothing but the lock file (the run failed before writing) is removed."""
    path = Path(folder)
    created = not path.exists()
    output_folder(path)
    lock = path / LOCK_NAME
    fd = _open(lock)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = _holder(fd)
        os.close(fd)
        raise ConfigError(f"{path}: another ganforge process{holder} is writing this run; "
                          "wait for it to end (or stop it), or use another --out") from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield path
    finally:
        if created and [p.name for p in path.iterdir()] == [LOCK_NAME]:
            lock.unlink(missing_ok=True)
            path.rmdir()
        os.close(fd)  # releases the lock


def writer_lock(folder: Path | str) -> contextlib.AbstractContextManager:
    """run_lock for the process that writes the run: under torchrun only rank 0 writes, so
    the other ranks take no lock."""
    if not writer_process():
        return contextlib.nullcontext(Path(folder))
    return run_lock(folder)
