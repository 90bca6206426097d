"""Where a training loop stands: steps done, the epoch and its next batch, the shuffle
generator's state at the epoch's start, and the epoch's loss sums (all in every checkpoint)."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch


@dataclass
class LoopState:
    step: int = 0  # generator steps done
    epoch: int = 1  # current epoch, 1-based
    batch: int = 0  # next batch to run inside the epoch
    epoch_rng: torch.Tensor | None = None  # shuffle generator's state at the epoch's start
    sums: list[float] = field(default_factory=lambda: [0.0, 0.0, 0])  # epoch's g, d, count

    def resume_position(self, batches_per_epoch: int) -> tuple[int, int]:
        """Where a resumed run starts: (epoch, next batch); a finished epoch means the next."""
        if self.batch >= batches_per_epoch:
            return self.epoch + 1, 0
        return self.epoch, self.batch
