"""The latent distribution: z from a standard normal or a uniform on [-1, 1]."""

from __future__ import annotations

from typing import Literal

import torch

NoiseKind = Literal["normal", "uniform"]


def sample_noise(
    n: int,
    dim: int,
    kind: NoiseKind = "normal",
    *,
    device: torch.device | str = "cpu",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Draw n latent vectors of size dim: (n, dim)."""
    if kind == "normal":
        return torch.randn(n, dim, device=device, generator=generator)
    if kind == "uniform":
        return torch.rand(n, dim, device=device, generator=generator).mul_(2).sub_(1)
    raise ValueError(f"unknown noise kind {kind!r}")
