"""Discriminator layers that look at several samples at once, against mode collapse:

- packing (PacGAN, Lin et al. 2018): D scores m samples joined along channels (or, for a
  flat input, concatenated vectors), so a generator that repeats itself is told apart by
  the lack of variety inside a pack;
- minibatch standard deviation (Karras et al. 2018, StyleGAN's layer): one extra feature
  map holding the standard deviation of the features across a group of samples, averaged
  over channels and positions.

Both mix the samples of a batch: `mixes_samples` tells the objective to score real and
fake batches in separate calls, so that no pack or group ever holds both kinds.
"""

from __future__ import annotations

import torch
from torch import nn


class Pack(nn.Module):
    """(B, C, H, W) -> (B/m, m C, H, W), or (B, F) -> (B/m, m F): consecutive samples joined."""

    mixes_samples = True

    def __init__(self, m: int):
        super().__init__()
        if m < 1:
            raise ValueError(f"pack size must be at least 1, got {m}")
        self.m = m

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b = x.shape[0]
        if b % self.m:
            raise ValueError(f"a batch of {b} samples cannot be cut into packs of {self.m}")
        return x.reshape(b // self.m, self.m * x.shape[1], *x.shape[2:])  # (B/m, mC, ...)

    def extra_repr(self) -> str:
        return f"m={self.m}"


class MinibatchStd(nn.Module):
    """Appends one channel (or feature): per group of `group` consecutive samples, the
    standard deviation of each feature across the group, averaged over all features.

    (B, C, H, W) -> (B, C + 1, H, W); (B, F) -> (B, F + 1). The group is the largest
    divisor of B not above `group`, so any batch size works."""

    mixes_samples = True

    def __init__(self, group: int = 4, eps: float = 1e-8):
        super().__init__()
        if group < 2:
            raise ValueError(f"minibatch-std group must be at least 2, got {group}")
        self.group, self.eps = group, eps

    def group_size(self, batch: int) -> int:
        return next(g for g in range(min(self.group, batch), 0, -1) if batch % g == 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, g = x.shape[0], self.group_size(x.shape[0])
        y = x.float().reshape(b // g, g, *x.shape[1:])  # (B/g, g, C, ...)
        std = (y.var(dim=1, unbiased=False) + self.eps).sqrt()  # (B/g, C, ...)
        stat = std.flatten(1).mean(dim=1).to(x.dtype)  # (B/g,)
        stat = stat.repeat_interleave(g)  # (B,)
        extra = stat.view(b, 1, *([1] * (x.dim() - 2))).expand(b, 1, *x.shape[2:])
        return torch.cat([x, extra], dim=1)  # (B, C + 1, ...)

    def extra_repr(self) -> str:
        return f"group={self.group}"


def mixes_samples(module: nn.Module) -> bool:
    """True when a layer of `module` combines the samples of a batch (batch normalisation,
    packing, minibatch std): real and fake images must then go through it apart."""
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) or getattr(m, "mixes_samples",
                                                                           False)
               for m in module.modules())

