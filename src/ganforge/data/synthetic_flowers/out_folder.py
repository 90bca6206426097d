"""The folder `data make synthetic-flowers` writes into, made safe to write again:

- an existing ROOT is replaced only when it is a complete earlier make (its MARKER, written
  last) holding nothing but the names a make writes; anything else is refused, naming what
  ganforge did not make (or, with force, replaced saying so), so a user's file is never
  silently deleted;
- the finished folder gets the mode the user's umask gives (mkdtemp makes it 0700);
- a temporary folder (`.NAME.PID.XXXXXXXX.tmp`) or a moved-aside old set (`.NAME.old-PID`)
  that a killed make left is removed by a later make, once its process is gone;
- pool workers die with the make that started them (Linux: PR_SET_PDEATHSIG), so kill -9 of
  the make leaves none running.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
from pathlib import Path

MARKER = ".ganforge-make"  # written last into a finished set
# A make's files, and the image caches the flowers reader keeps beside a set in the user cache.
_FILES = re.compile(rf"imagelabels\.mat|setid\.mat|{re.escape(MARKER)}|images\d+-[0-9a-f]+"
                    r"\.safetensors|jpg/image_\d{5}\.jpg|text_c10/class_\d{5}/image_\d{5}\."
                    r"(txt|json)")
_FOLDERS = re.compile(r"jpg|text_c10|text_c10/class_\d{5}")
MAX_SCAN = 100_000  # entries looked at before a folder counts as not ours
SHOWN = 5  # strangers named in a message


def strangers(root: Path) -> list[str]:
    """Paths under `root` (relative) that a make never writes, at most SHOWN of them; links
    and special files count as strangers, and the folders a make writes are looked into."""
    found: list[str] = []
    todo, seen = [(root, True)], 0  # (folder, whether a make writes that folder)
    while todo and len(found) < SHOWN:
        folder, ours = todo.pop()
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
        if not entries and not ours:
            found.append(Path(folder).relative_to(root).as_posix() + "/")
        for entry in entries:
            seen += 1
            if seen > MAX_SCAN:
                return [*found, f"(more than {MAX_SCAN} entries)"]
            name = Path(entry.path).relative_to(root).as_posix()
            if entry.is_dir(follow_symlinks=False):  # a stranger folder: name its files
                todo.append((Path(entry.path), ours and bool(_FOLDERS.fullmatch(name))))
            elif not (ours and entry.is_file(follow_symlinks=False) and _FILES.fullmatch(name)):
                found.append(name)
    return found[:SHOWN]


def check_replaceable(root: Path, force: bool) -> str | None:
    """None when `root` may be replaced silently (absent, empty or a complete earlier make);
    a description of what it holds when `force` replaces it anyway; else a DataError."""
    from ganforge.errors import DataError

    if not root.exists() and not root.is_symlink():
        return None
    if root.is_symlink() or not root.is_dir():
        raise DataError(f"{root}: exists and is not a folder; move it away and make again")
    found = strangers(root)
    if not found and ((root / MARKER).is_file() or not any(root.iterdir())):
        return None
    what = (f"holds files ganforge did not make ({', '.join(found)})" if found
            else f"is not a complete earlier make (no {MARKER})")
    if force:
        return what
    raise DataError(f"{root}: {what}; move them away or remove the folder, then make again")


def umask_mode() -> int:
    """The mode a new folder gets under this process's umask (0o777 less it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o777 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o777 & ~mask


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's live process
        return False
    return False


def remove_stale(parent: Path, name: str) -> list[Path]:
    """Remove `.NAME.PID.XXXXXXXX.tmp` and `.NAME.old-PID` folders in `parent` whose make
    (PID) is gone; returns them. Links and other names are left alone."""
    pattern = re.compile(rf"\.{re.escape(name)}\.(?:(\d+)\.[A-Za-z0-9_]{{8}}\.tmp|old-(\d+))")
    removed = []
    for path in parent.glob(f".{name}.*"):
        match = pattern.fullmatch(path.name)
        if match and path.is_dir() and not path.is_symlink() and \
                _gone(int(match.group(1) or match.group(2))):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def die_with_parent(parent: int) -> None:
    """Pool initializer: the kernel kills this worker when its parent dies (Linux)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
