"""Finding, verifying and loading the generators shipped in this folder.

A shipped generator is a pair `NAME.safetensors` + `NAME.json`; the JSON is a ganforge
checkpoint of the generator alone with a `pretrained` record (commands and metrics). The
SHA-256 of the tensor file is checked before anything is loaded; nothing is unpickled.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ganforge.errors import CheckpointError, ConfigError
from ganforge.fileio import sha256_file

MAX_NAME = 64  # a name becomes two file names (NAME.json, NAME.safetensors)
NAME_PATTERN = re.compile(rf"[a-z0-9][a-z0-9._-]{{0,{MAX_NAME - 1}}}")
MAX_BYTES = 10 * 1024 * 1024  # a shipped tensor file is at most 10 MB


def pretrained_folder() -> Path:
    """The folder of the shipped generators (this package's own folder)."""
    return Path(__file__).resolve().parent


def known_names(folder: Path | str | None = None) -> list[str]:
    """Names of the generators in `folder` (default: the shipped ones), sorted."""
    root = Path(folder) if folder is not None else pretrained_folder()
    return sorted(p.stem for p in root.glob("*.json") if NAME_PATTERN.fullmatch(p.stem))


def entry_path(name: str, folder: Path | str | None = None) -> Path:
    """The JSON of generator `name`, or one line naming the known generators."""
    root = Path(folder) if folder is not None else pretrained_folder()
    names = known_names(root)
    if name not in names:
        known = ", ".join(names) if names else "none"
        raise ConfigError(f"unknown pretrained generator {name[:80]!r} (known: {known}; one "
                          f"exported with --dir DIR is used as a run: DIR/NAME.json)")
    return root / f"{name}.json"


def read_entry(name: str, folder: Path | str | None = None) -> dict[str, Any]:
    """The JSON record of generator `name` (checkpoint fields plus `pretrained`)."""
    from ganforge.runs.checkpoint_check import read_record

    path = entry_path(name, folder)
    entry = read_record(path)  # bounded in size and depth
    if not isinstance(entry.get("pretrained"), dict):
        raise CheckpointError(f"{path}: not a pretrained generator record (no 'pretrained')")
    return entry


def checkpoint_path(name: str, folder: Path | str | None = None) -> Path:
    """The JSON of generator `name` after checking its tensor file against its SHA-256: a
    path every checkpoint loader accepts (`load_generator`, `ganforge serve`, ...)."""
    path = entry_path(name, folder)
    entry = read_entry(name, folder)
    from ganforge.runs.checkpoint_check import tensor_file

    tensors = tensor_file(path, entry.get("tensors"))  # a plain file beside the record
    if sha256_file(tensors) != entry.get("sha256"):
        raise CheckpointError(f"pretrained {name!r}: {tensors} does not match the SHA-256 in "
                              f"{path.name} (altered or truncated)")
    return path


def resolve_source(run: str | None, pretrained: str | None, command: str) -> str | Path:
    """What a command loads: the RUN argument or the checkpoint of `--pretrained NAME`;
    exactly one of the two, else one clear line."""
    if run is not None and pretrained is not None:
        raise ConfigError(f"{command}: give a run folder or --pretrained NAME, not both")
    if pretrained is not None:
        return entry_path(pretrained)  # its record and hash are checked once, by the loader
    if run is None:
        raise ConfigError(f"{command}: give a run folder (or checkpoint) or --pretrained NAME "
                          f"(known: {', '.join(known_names()) or 'none'})")
    return run
