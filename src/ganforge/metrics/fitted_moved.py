"""A folder's fitted evaluator found again after the folder moved, was renamed or copied.

Evaluators are stored by the folder's absolute path (metrics.fitted.evaluator_path_for), so a
folder at a new path has none of its own. Each folder evaluator's record keeps what the
folder held when it was fitted (`content`, data.folder.identity): the names and sizes of its
files and the fingerprints of its prepared splits. A folder with no evaluator of its own
takes one fitted for another path when

    1. the names and sizes of its files are those recorded (no file is opened), and
    2. prepared as the record says (image size, squaring, channels, test fraction), its
       training and test splits have the recorded fingerprints (pixels, labels, captions).

Modification times are never compared: a copy gives its files new ones. The evaluator is then
copied for the new path (both files written atomically), so the next lookup finds it there
at once, and a note on stderr says whose evaluator is used. Records written before they kept
`content` are found at their own path only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ganforge.errors import CheckpointError, DataError
from ganforge.fileio import atomic_write_bytes, atomic_write_json

Read = Callable[[Path], dict[str, Any]]
_NOTED: set[tuple[str, str]] = set()  # (new path, old path) already noted in this process


def _records(root: Path, kinds: tuple[str, ...], read: Read, key: str
             ) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(JSON path, record) of every folder evaluator of `kinds` fitted for another path
    that recorded its folder's content, the newest first."""
    found = []
    for path in (place / f"{kind}.json" for place in root.glob("folder-*") for kind in kinds):
        try:
            found.append((path.stat().st_mtime_ns, path, read(path)))
        except (OSError, CheckpointError):
            continue
    for _, path, record in sorted(found, key=lambda f: f[0], reverse=True):
        if record.get("data") != key and isinstance(record.get("data"), str) and \
                isinstance(record.get("content"), dict) and \
                isinstance(record.get("prepare"), dict):
            yield path, record


def same_content(key: str, record: dict[str, Any]) -> bool:
    """Whether folder `key`, prepared as `record` says, holds the splits it recorded."""
    from ganforge.data.folder.identity import SPLITS, split_fingerprints
    from ganforge.data.prepare_options import PrepareOptions

    try:
        splits = split_fingerprints(key, PrepareOptions(**record["prepare"]))
    except (TypeError, DataError):
        return False
    return all(splits[s] == record["content"].get(s) for s in SPLITS)


def find_moved(key: str, kinds: tuple[str, ...], home: Path, read: Read) -> Path | None:
    """The JSON record of an evaluator of `kinds` fitted for the same data at another path,
    copied into `home` (the folder's own place) when it can be; None when there is none."""
    from ganforge.data.folder.identity import listing_digest

    candidates = list(_records(home.parent, kinds, read, key))
    if not candidates or not Path(key).exists():
        return None
    try:
        listing = listing_digest(key)
    except DataError:
        return None
    for path, record in candidates:
        if record["content"].get("listing") == listing and same_content(key, record):
            return adopt(key, path, record, home)
    return None


def adopt(key: str, path: Path, record: dict[str, Any], home: Path) -> Path:
    """Say whose evaluator folder `key` uses, and copy it (tensors, then the record naming
    the new path) into `home`; the original's path when `home` cannot be written."""
    old = str(record.get("fitted_for", record["data"]))
    if (key, old) not in _NOTED:
        _NOTED.add((key, old))
        print(f"note: {key}: the evaluator fitted for {old} is used (the same images, "
              f"prepared the same way)", file=sys.stderr)
    target = home / path.name
    try:
        home.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target.with_suffix(".safetensors"),
                           path.with_suffix(".safetensors").read_bytes())
        atomic_write_json(target, {**record, "data": key, "fitted_for": old,
                                   "command": _command_for(key, record)})
    except OSError:
        return path
    return target


def _command_for(key: str, record: dict[str, Any]) -> str:
    """The record's command with the folder's new path (as it is when its form is not
    evaluator_fit.reproduce_command's)."""
    from ganforge.data.prepare_options import PrepareOptions

    command = str(record.get("command", ""))
    if " --kind " not in command:
        return command
    flags = PrepareOptions(**record["prepare"]).as_flags()
    return f"ganforge evaluator fit {key}{flags}{command[command.rindex(' --kind '):]}"
