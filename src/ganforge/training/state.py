"""Checkpoint files of the training state: what `state_dict()` of the loop (and through it
the trainer) returns, written as one checkpoint (safetensors + JSON, runs.checkpoint), and
read back into `load_state_dict()`.

A checkpoint holds the networks (and the EMA of G's weights, as `generator_ema.*`), both
optimizers, the loop's position (epoch, next batch, the shuffle generator's state at the
epoch's start and now), every random stream (torch, numpy, Python, captions), the fixed
sample noise, and how many metric records existed, so that a resumed run is bit-identical
to one never interrupted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import torch

from ganforge.errors import CheckpointError
from ganforge.runs.checkpoint import list_checkpoints, step_of, write_checkpoint


class Stateful(Protocol):
    """What keeps its state in a checkpoint: {"tensors": {name: tensor}, "meta": JSON}."""

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...


def save_state(owner: Stateful, checkpoints: Path, name: str, keep: int | None = None) -> Path:
    """Write `owner`'s state as checkpoint `name` in `checkpoints`; with `keep`, then prune
    the step checkpoints to the newest `keep`. Returns the JSON's path."""
    state = owner.state_dict()
    path = write_checkpoint(checkpoints, name, state["tensors"], state["meta"])
    if keep is not None:
        prune(checkpoints.parent, keep, path)
    return path


def prune(run_dir: Path, keep: int, written: Path) -> None:
    """Keep the newest `keep` step checkpoints up to the one just `written` (best and final
    are never pruned). Those of later steps are not this line of training's to remove (a
    resume from an earlier checkpoint sets them aside first: runs.superseded)."""
    line = [p for p in list_checkpoints(run_dir) if step_of(p) <= step_of(written)]
    for old in line[:-keep] if keep > 0 else []:
        old.with_suffix(".safetensors").unlink(missing_ok=True)
        old.unlink(missing_ok=True)


def restore_state(owner: Stateful, meta: dict[str, Any], tensors: dict[str, torch.Tensor],
                  source: Path) -> None:
    """Put `owner` back exactly where the checkpoint read from `source` left it; one line
    (CheckpointError) when it does not fit."""
    try:
        owner.load_state_dict({"tensors": tensors, "meta": meta})
    except (KeyError, ValueError, RuntimeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CheckpointError(f"{source}: does not fit this run ({first})") from None
