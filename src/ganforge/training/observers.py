"""Observers: what else happens during a run (evaluation, TensorBoard, ...), kept out of the loop.

The loop calls each observer at three moments; an observer overrides the ones it needs.
`on_epoch_end` may add entries to the epoch summary (e.g. "fd"), which the loop prints and
stores with the checkpoint. Observers (and the progress lines, the stabilisers' schedule and
the signal handlers) see the loop as a `LoopView`: what they may read of it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from ganforge.config import RunConfig
from ganforge.runs.folder import RunFolder
from ganforge.runtime.distributed import DistContext
from ganforge.sections import TrainConfig
from ganforge.training.batch import BatchSource
from ganforge.training.loop_state import LoopState
from ganforge.training.trainer import Trainer


class LoopView(Protocol):
    """A training loop (loop.TrainingLoop) as what runs beside it sees it."""

    config: RunConfig
    train_cfg: TrainConfig
    trainer: Trainer
    source: BatchSource
    folder: RunFolder
    state: LoopState
    batches_per_epoch: int
    started: float | None  # time.monotonic() when the loop began
    stop_signal: str | None  # set by a signal handler: stop after this batch
    last_summary: dict[str, Any]
    log: Callable[[str], None]
    dist: DistContext  # this process's place among torchrun's (one process: world_size 1)

    def save_checkpoint(self, name: str | None = None) -> Path: ...


class Observer:
    all_ranks = False  # in distributed training, observe on every rank (else rank 0 only)

    def on_records(self, loop: LoopView, records: list[dict[str, Any]]) -> None:
        """Per-step records, just appended to metrics.jsonl."""

    def on_epoch_end(self, loop: LoopView, summary: dict[str, Any]) -> None:
        """An epoch ended: its samples are saved, its checkpoint is not yet written."""

    def on_finish(self, loop: LoopView) -> None:
        """The run ended (after the last checkpoint and the progress GIF)."""
