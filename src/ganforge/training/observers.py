"""Observers: what else happens during a run (evaluation, TensorBoard, ...), kept out of the loop.

The loop calls each observer at three moments; an observer overrides the ones it needs.
`on_epoch_end` may add entries to the epoch summary (e.g. "fd"), which the loop prints and
stores with the checkpoint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ganforge.training.loop import TrainingLoop


class Observer:
    all_ranks = False  # in distributed training, observe on every rank (else rank 0 only)

    def on_records(self, loop: TrainingLoop, records: list[dict[str, Any]]) -> None:
        """Per-step records, just appended to metrics.jsonl."""

    def on_epoch_end(self, loop: TrainingLoop, summary: dict[str, Any]) -> None:
        """An epoch ended: its samples are saved, its checkpoint is not yet written."""

    def on_finish(self, loop: TrainingLoop) -> None:
        """The run ended (after the last checkpoint and the progress GIF)."""
