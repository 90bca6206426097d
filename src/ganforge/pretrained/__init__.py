"""Trained generators shipped inside the package: `NAME.safetensors` (the generator's weights,
float32) and `NAME.json` beside this file.

Each `NAME.json` is a ganforge checkpoint of the generator alone (format, version, config,
step, tensor file and its SHA-256), so every loader of run checkpoints reads it, plus a
`pretrained` record: the command that trained it, the command that evaluated it and the
metrics measured. `ganforge pretrained export RUN NAME` (ganforge.export) writes the pair
from a run folder.

This package only finds and verifies the files (it sits below sampling); the generator is
built by sampling, which asks it for the files of a name:

    from ganforge.sampling.generator import load_pretrained
    loaded = load_pretrained("dcgan-fashion")   # a LoadedGenerator, on the CPU

Nothing heavy is imported here: torch is never loaded by this package.
"""

from __future__ import annotations

from ganforge.pretrained.store import (
    checkpoint_path,
    known_names,
    pretrained_folder,
    read_entry,
    resolve_source,
)

__all__ = ["checkpoint_path", "known_names", "pretrained_folder", "read_entry",
           "resolve_source"]
