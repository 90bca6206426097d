"""Differentiable augmentation of what D sees (DiffAugment, Zhao et al. 2020): the same random
transforms applied to real and generated images, in D's steps and in G's, so that D cannot
overfit a small data set and G's gradient flows through the transform.

Two transforms, both of which keep every colour as it is (no colour jitter, which would
blur the colour attributes a caption states):
- translation: each image shifted by up to 1/8 of its size in x and y, zeros filling in;
- cutout: a square of half the image's size, at a random place, set to zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

Policy = Literal["none", "translation", "cutout", "translation,cutout"]


def translate(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    """Shift each image of (B, C, H, W) by a random whole number of pixels, up to
    ratio * size in each direction; pixels shifted in are 0."""
    b, _, h, w = x.shape
    sy, sx = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = torch.randint(-sy, sy + 1, (b, 1, 1), device=x.device)
    dx = torch.randint(-sx, sx + 1, (b, 1, 1), device=x.device)
    rows = (torch.arange(h, device=x.device).view(1, h, 1) + dy + 1).clamp(0, h + 1)  # (B, H, 1)
    cols = (torch.arange(w, device=x.device).view(1, 1, w) + dx + 1).clamp(0, w + 1)  # (B, 1, W)
    padded = torch.nn.functional.pad(x, (1, 1, 1, 1)).permute(0, 2, 3, 1)  # (B, H+2, W+2, C)
    batch = torch.arange(b, device=x.device).view(b, 1, 1)
    return padded[batch, rows, cols].permute(0, 3, 1, 2).contiguous(memory_format=_format(x))


def cutout(x: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    """Zero a square of ratio * size pixels per image, its centre anywhere in the image (the
    square is cut by the border)."""
    b, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    top = torch.randint(0, h + (1 - ch % 2), (b, 1, 1), device=x.device) - ch // 2
    left = torch.randint(0, w + (1 - cw % 2), (b, 1, 1), device=x.device) - cw // 2
    rows = torch.arange(h, device=x.device).view(1, h, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w)
    inside = (rows >= top) & (rows < top + ch) & (cols >= left) & (cols < left + cw)
    return x * (~inside).unsqueeze(1).to(x.dtype)  # (B, 1, H, W) mask broadcast over C


def _format(x: torch.Tensor) -> torch.memory_format:
    if x.dim() == 4 and x.is_contiguous(memory_format=torch.channels_last):
        return torch.channels_last
    return torch.contiguous_format


TRANSFORMS = {"translation": translate, "cutout": cutout}


@dataclass(frozen=True)
class DiffAugment:
    """The transforms of a policy, applied in order to a batch of images."""

    names: tuple[str, ...]

    @classmethod
    def from_policy(cls, policy: str) -> DiffAugment | None:
        """None for "none"; else the comma-separated transforms (checked against TRANSFORMS)."""
        names = tuple(n for n in policy.split(",") if n and n != "none")
        unknown = [n for n in names if n not in TRANSFORMS]
        if unknown:
            known = ", ".join(TRANSFORMS)
            raise ValueError(f"unknown augmentation {unknown[0]!r} (known: {known})")
        return cls(names) if names else None

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        if images.dim() != 4:
            raise ValueError("augmentation needs image batches (B, C, H, W), "
                             f"got {tuple(images.shape)}")
        for name in self.names:
            images = TRANSFORMS[name](images)
        return images
