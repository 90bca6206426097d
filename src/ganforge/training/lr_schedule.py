"""Learning-rate schedules: the configured rates times a factor of the run's progress.

`linear` takes both rates from their configured values to 0 over the run. The progress is the
share of the run done, as regularizers.LoopProgress reads it: generator steps against the
planned ones (epochs or --max-steps) or, with --max-minutes, the share of the time budget
spent, whichever is further along. A budgeted run thus anneals to 0 when its time runs out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch


@dataclass
class LinearDecay:
    """Sets each optimizer's rate to base * (1 - progress()) before every batch."""

    optimizers: Sequence[tuple[torch.optim.Optimizer, float]]  # (optimizer, base rate)
    progress: Callable[[], float]

    def factor(self) -> float:
        return max(0.0, 1.0 - self.progress())

    def __call__(self) -> None:
        factor = self.factor()
        for optimizer, base in self.optimizers:
            for group in optimizer.param_groups:
                group["lr"] = base * factor
