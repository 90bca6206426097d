"""The DCGAN of Radford et al. (2016), as the pytorch/examples dcgan builds it at 64x64, and
at 32, 128 and 256 px with one up/down block fewer or more per factor of two.

G: z (B, nz, 1, 1) -> ConvTranspose2d(nz, 8w, 4, 1, 0) BN ReLU (B, 8w, 4, 4) -> one
ConvTranspose2d(4, 2, 1) BN ReLU per doubling, halving the channels, down to (B, w, S/2, S/2)
-> ConvTranspose2d(w, C, 4, 2, 1) Tanh (B, C, S, S). D mirrors it: Conv2d(C, w, 4, 2, 1)
LeakyReLU (no norm on the first layer), then Conv BN LeakyReLU per halving up to
(B, 8w, 4, 4), and Conv2d(8w, 1, 4, 1, 0) -> one logit (the sigmoid lives in the loss).
No conv has a bias. w is `width` (ngf = ndf = 64 by default).

The channel multiples, from the 4x4 end: 32 px 4w, 2w, w; 64 px 8w, 4w, 2w, w (the paper's);
128 px 16w, ..., w (the doubling kept); 256 px capped at 16w: 16w, 16w, 8w, ..., w.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ganforge.model_configs import DCGANConfig
from ganforge.models.dcgan28 import _norm, initialised
from ganforge.models.sample_mixing import MinibatchStd, Pack

MAX_MULTIPLE = 16  # the widest layer, in multiples of w


def multiples(image_size: int) -> list[int]:
    """Channel multiples of w at 4x4, 8x8, ..., S/2 x S/2: [8, 4, 2, 1] for 64 px."""
    blocks = int(math.log2(image_size)) - 2  # feature maps from 4x4 to S/2 x S/2
    return [min(2 ** (blocks - 1 - i), MAX_MULTIPLE) for i in range(blocks)]


class DCGANGenerator(nn.Module):
    """z (B, latent_dim) -> image (B, C, S, S) in [-1, 1]."""

    def __init__(self, cfg: DCGANConfig, latent_dim: int | None = None):
        super().__init__()
        w, m = cfg.width, multiples(cfg.image_size)
        layers = [nn.ConvTranspose2d(latent_dim or cfg.latent_dim, m[0] * w, 4, 1, 0, bias=False),
                  nn.BatchNorm2d(m[0] * w), nn.ReLU(True)]  # (B, m0 w, 4, 4)
        for a, b in zip(m, m[1:], strict=False):  # each doubles the size: ... (B, w, S/2, S/2)
            layers += [nn.ConvTranspose2d(a * w, b * w, 4, 2, 1, bias=False),
                       nn.BatchNorm2d(b * w), nn.ReLU(True)]
        self.net = nn.Sequential(
            *layers,
            nn.ConvTranspose2d(w, cfg.channels, 4, 2, 1, bias=False),
            nn.Tanh(),  # (B, C, S, S)
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z[:, :, None, None])  # (B, latent, 1, 1) -> (B, C, S, S)


def features(cfg: DCGANConfig, in_channels: int) -> list[nn.Module]:
    """D's layers from an image (B, in_channels, S, S) to its features (B, m0 w, 4, 4)."""
    slope, w, m = cfg.leaky_slope, cfg.width, multiples(cfg.image_size)[::-1]
    layers = [nn.Conv2d(in_channels, w, 4, 2, 1, bias=False),
              nn.LeakyReLU(slope, True)]  # (B, w, S/2, S/2): no norm on the first layer
    for a, b in zip(m, m[1:], strict=False):  # each halves the size: ... (B, m0 w, 4, 4)
        layers += [nn.Conv2d(a * w, b * w, 4, 2, 1, bias=False), _norm(cfg.d_norm, b * w),
                   nn.LeakyReLU(slope, True)]
    return layers


class DCGANDiscriminator(nn.Module):
    """image (B, C, S, S) -> real/fake logit (B,) (or (B/m,) with packs of m)."""

    def __init__(self, cfg: DCGANConfig):
        super().__init__()
        top = multiples(cfg.image_size)[0] * cfg.width
        # Off by default: packing joins m images into one input of m C channels
        self.pack = Pack(cfg.pack) if cfg.pack > 1 else nn.Identity()  # (B/m, m C, S, S)
        self.net = nn.Sequential(
            *features(cfg, cfg.pack * cfg.channels),  # (B, m0 w, 4, 4)
            *([MinibatchStd(cfg.mbstd)] if cfg.mbstd else []),  # (B, m0 w + 1, 4, 4)
            nn.Conv2d(top + (cfg.mbstd > 0), 1, 4, 1, 0, bias=False),  # (B, 1, 1, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(self.pack(x)).flatten()  # (B,)


def build(cfg: DCGANConfig) -> tuple[nn.Module, nn.Module]:
    return initialised(cfg.init, DCGANGenerator(cfg), DCGANDiscriminator(cfg))
