"""A folder's fitted evaluator found again after the folder moved, was renamed or copied.

Evaluators are stored by the folder's absolute path (metrics.fitted.evaluator_path_for), so a
folder at a new path has none of its own. Each folder evaluator's record keeps what the
folder held when it was fitted (`content`, data.folder.identity): the names and sizes of its
files and the fingerprints of its prepared splits. A folder with no evaluator of its own
takes one fitted for another path when

    1. the names and sizes of its files are those recorded (no file is opened),
    2. prepared as the record says (image size, squaring, channels, test fraction), its
       training and test splits have the recorded fingerprints (pixels, labels, captions),
    3. and its tensor file has the SHA-256 its record names.

Of several, the first in this order is taken: one prepared as the run asking was (`prefer`),
then the kinds in the order asked (as at a folder's own place), then one fitted where it
lies before a copy of one, then the newest. Every kind of the same data and preparation in
its place is copied for the new path (both files of each written atomically), so the next
lookup finds them there at once, and a note on stderr says whose evaluator is used.
Modification times are never compared: a copy gives its files new ones. Records written
before they kept `content` are found at their own path only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from shlex import quote
from typing import Any

from ganforge.errors import CheckpointError, DataError
from ganforge.fileio import atomic_write_bytes, atomic_write_json, sha256_file

Read = Callable[[Path], dict[str, Any]]
Candidate = tuple[Path, dict[str, Any]]  # (JSON path, record)
_NOTED: set[tuple[str, str]] = set()  # (new path, old path) already noted in this process


def candidates(root: Path, kinds: tuple[str, ...], read: Read, key: str,
               prefer: Any = None) -> list[Candidate]:
    """Every folder evaluator of `kinds` under `root` fitted for another path that recorded
    its folder's content, in the order they are tried (the module's docstring)."""
    wanted = asdict(prefer) if prefer is not None else None
    found = []
    for kind_index, kind in enumerate(kinds):
        for path in root.glob(f"folder-*/{kind}.json"):
            try:
                record, mtime = read(path), path.stat().st_mtime_ns
            except (OSError, CheckpointError):
                continue
            if record.get("data") != key and isinstance(record.get("data"), str) and \
                    isinstance(record.get("content"), dict) and \
                    isinstance(record.get("prepare"), dict):
                rank = (record["prepare"] != wanted, kind_index, "fitted_for" in record, -mtime)
                found.append((rank, path, record))
    return [(path, record) for _, path, record in sorted(found, key=lambda f: f[0])]


def find_moved(key: str, kinds: tuple[str, ...], home: Path, read: Read,
               prefer: Any = None) -> Path | None:
    """The JSON record of an evaluator of `kinds` fitted for the same data at another path
    (prepared as `prefer`, a PrepareOptions, when one is), copied into `home` (the folder's
    own place) when it can be; None when there is none."""
    from ganforge.data.folder.identity import listing_digest

    tried = candidates(home.parent, kinds, read, key, prefer)
    if not tried or not Path(key).exists():
        return None
    try:
        listing = listing_digest(key)
    except DataError:
        return None
    splits: dict[str, Any] = {}  # the folder's split fingerprints, by preparation
    for path, record in tried:
        if record["content"].get("listing") == listing and \
                same_content(key, record, splits) and _intact(path, record):
            return adopt(key, path, record, home, read)
    return None


def same_content(key: str, record: dict[str, Any], splits: dict[str, Any]) -> bool:
    """Whether folder `key`, prepared as `record` says, holds the splits it recorded
    (`splits`: the fingerprints already taken in this lookup, by preparation)."""
    from ganforge.data.folder.identity import SPLITS, split_fingerprints
    from ganforge.data.prepare_options import PrepareOptions

    settings = repr(sorted(record["prepare"].items()))
    if settings not in splits:
        try:
            splits[settings] = split_fingerprints(key, PrepareOptions(**record["prepare"]))
        except (TypeError, DataError):
            splits[settings] = None
    found = splits[settings]
    return found is not None and all(found[s] == record["content"].get(s) for s in SPLITS)


def _intact(path: Path, record: dict[str, Any]) -> bool:
    """Whether the record's tensor file is there with the SHA-256 the record names."""
    try:
        return sha256_file(path.with_suffix(".safetensors")) == record["sha256"]
    except OSError:
        return False


def adopt(key: str, path: Path, record: dict[str, Any], home: Path, read: Read) -> Path:
    """Say whose evaluator folder `key` uses, and copy it with every other intact kind of the
    same data and preparation in its place (tensors, then the record naming the new path)
    into `home`; the original's path when `home` cannot be written."""
    old = str(record.get("fitted_for", record["data"]))
    if (key, old) not in _NOTED:
        _NOTED.add((key, old))
        print(f"note: {key}: the evaluator fitted for {old} is used (the same images, "
              f"prepared the same way)", file=sys.stderr)
    try:
        home.mkdir(parents=True, exist_ok=True)
        for other, theirs in _same_place(path, record, read):
            atomic_write_bytes(home / f"{other.stem}.safetensors",
                               other.with_suffix(".safetensors").read_bytes())
            atomic_write_json(home / other.name, {**theirs, "data": key, "fitted_for": old,
                                                  "command": _command_for(key, theirs)})
    except OSError:
        return path
    return home / path.name


def _same_place(path: Path, record: dict[str, Any], read: Read) -> list[Candidate]:
    """The chosen record and the other intact kinds beside it fitted on the same content
    and preparation."""
    same = [(path, record)]
    for other in sorted(path.parent.glob("*.json")):
        if other == path:
            continue
        try:
            theirs = read(other)
        except CheckpointError:
            continue
        if (theirs.get("content"), theirs.get("prepare")) == \
                (record["content"], record["prepare"]) and _intact(other, theirs):
            same.append((other, theirs))
    return same


def _command_for(key: str, record: dict[str, Any]) -> str:
    """The record's command with the folder's new path (as it is when its form is not
    evaluator_fit.reproduce_command's)."""
    from ganforge.data.prepare_options import PrepareOptions

    command = str(record.get("command", ""))
    if " --kind " not in command:
        return command
    flags = PrepareOptions(**record["prepare"]).as_flags()
    return f"ganforge evaluator fit {quote(key)}{flags}{command[command.rindex(' --kind '):]}"
