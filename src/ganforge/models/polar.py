"""Polar position channels: fixed maps of where each pixel lies around the image centre,
appended to a feature map so a convolution can place things by angle and radius (CoordConv,
Liu et al. 2018, in polar form; Fourier features of the angle as in CIPS and StyleGAN3).

For a flower, K petals around the centre are a pattern of angular frequency K: with
cos(k phi) and sin(k phi) at hand a network draws (or counts) exactly K petals by picking
the channels of frequency K, rather than building that frequency from a 4x4 start.
"""

from __future__ import annotations

import torch
from torch import nn


def polar_maps(harmonics: int, size: int) -> torch.Tensor:
    """(2 * harmonics + 1, size, size): the radius r / (size / 2), then cos(k phi) and
    sin(k phi) for k = 1..harmonics, phi the angle about the image centre."""
    centre = (size - 1) / 2
    ys, xs = torch.meshgrid(torch.arange(size, dtype=torch.float32),
                            torch.arange(size, dtype=torch.float32), indexing="ij")
    dx, dy = xs - centre, ys - centre
    phi = torch.atan2(dy, dx)[None]  # (1, S, S)
    k = torch.arange(1, harmonics + 1, dtype=torch.float32)[:, None, None]  # (K, 1, 1)
    radius = torch.hypot(dx, dy)[None] / (size / 2)
    return torch.cat([radius, torch.cos(k * phi), torch.sin(k * phi)])


def polar_channels(harmonics: int) -> int:
    """How many channels PolarFeatures appends (0 when off)."""
    return 2 * harmonics + 1 if harmonics > 0 else 0


class PolarFeatures(nn.Module):
    """(B, C, S, S) -> (B, C + 2K + 1, S, S): the input with the polar maps appended. The maps
    are a buffer left out of the state dict: they are rebuilt from K and S."""

    def __init__(self, harmonics: int, size: int):
        super().__init__()
        self.register_buffer("maps", polar_maps(harmonics, size), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x, self.maps.expand(len(x), -1, -1, -1).to(x.dtype)], dim=1)


def polar_layers(harmonics: int, size: int) -> list[nn.Module]:
    """[PolarFeatures] at this size, or [] when off: spliced into a network's layer list."""
    return [PolarFeatures(harmonics, size)] if harmonics > 0 else []
