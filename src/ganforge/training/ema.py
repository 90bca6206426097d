"""An exponential moving average (EMA) of the generator's weights, for sampling and evaluation.

After every generator update, each EMA parameter moves a step towards the live one:

    ema <- decay_n * ema + (1 - decay_n) * param,   decay_n = min(decay, (1 + n) / (10 + n))

where n counts the updates made so far. The warm-up term (as in TensorFlow's
ExponentialMovingAverage with num_updates) lets the average forget the random initial
weights quickly in short runs; after about 10 / (1 - decay) updates, decay_n = decay.
Buffers (BatchNorm's running statistics) are copied, not averaged.
"""

from __future__ import annotations

import copy

import torch
from torch import nn


def ema_rate(decay: float, updates: int) -> float:
    """The decay used at update number `updates` (0-based)."""
    return min(decay, (1.0 + updates) / (10.0 + updates))


class EMA:
    """Holds an averaged copy of a module (`module`, frozen, in eval mode)."""

    def __init__(self, model: nn.Module, decay: float):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"EMA decay must be in (0, 1), got {decay}")
        self.decay = decay
        self.updates = 0
        self.module = copy.deepcopy(model).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        """Move the average one step towards `model` (same architecture as the copy)."""
        weight = 1.0 - ema_rate(self.decay, self.updates)
        for avg, live in zip(self.module.parameters(), model.parameters(), strict=True):
            avg.lerp_(live.detach(), weight)
        for avg, live in zip(self.module.buffers(), model.buffers(), strict=True):
            avg.copy_(live)
        self.updates += 1
