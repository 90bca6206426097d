"""Walks between two latent points: linear (lerp) or spherical (slerp) interpolation."""

from __future__ import annotations

from typing import Literal

import torch

Method = Literal["slerp", "lerp"]

# When sin(angle) between two directions is below this (parallel or opposite vectors), slerp
# falls back to lerp of the directions: the same to float precision, and no division by zero.
_DEGENERATE = 1e-6


def lerp(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    """(1 - t) a + t b, row by row; a and b are (N, D)."""
    return a + (b - a) * t


def slerp(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    """Spherical interpolation of each row of a (N, D) towards the same row of b.

    Moves along the great circle between the two directions while the norm changes
    linearly, so that intermediate points keep the typical norm of Gaussian latents
    (a straight line between them passes through low-probability points near the origin).
    """
    a_norm = a.norm(dim=1, keepdim=True)
    b_norm = b.norm(dim=1, keepdim=True)
    a_dir = a / a_norm.clamp_min(1e-12)
    b_dir = b / b_norm.clamp_min(1e-12)
    cos = (a_dir * b_dir).sum(dim=1, keepdim=True).clamp(-1.0, 1.0)
    omega = torch.acos(cos)
    sin = torch.sin(omega)
    degenerate = sin < _DEGENERATE
    safe_sin = torch.where(degenerate, torch.ones_like(sin), sin)
    w_a = torch.where(degenerate, 1.0 - t, torch.sin((1.0 - t) * omega) / safe_sin)
    w_b = torch.where(degenerate, torch.full_like(sin, t), torch.sin(t * omega) / safe_sin)
    direction = w_a * a_dir + w_b * b_dir
    direction = direction / direction.norm(dim=1, keepdim=True).clamp_min(1e-12)
    return direction * ((1.0 - t) * a_norm + t * b_norm)


def interpolate(a: torch.Tensor, b: torch.Tensor, t: float, method: Method = "slerp"):
    """The point at fraction t in [0, 1] of the way from a to b; t = 0 and 1 give a and b."""
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"t must be in [0, 1], got {t}")
    if t == 0.0:
        return a.clone()
    if t == 1.0:
        return b.clone()
    if method == "lerp":
        return lerp(a, b, t)
    if method == "slerp":
        return slerp(a, b, t)
    raise ValueError(f"unknown interpolation method {method!r} (known: slerp, lerp)")
