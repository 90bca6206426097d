"""System 2: the DCGAN for 28x28 images, with the SPEC's exact layers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from ganforge.errors import ConfigError
from ganforge.models.sample_mixing import MinibatchStd, Pack, check_mixing


@dataclass
class DCGAN28Config:
    """The SPEC's DCGAN. The channel count (1 for digits), the init, D's norm and the width
    may vary; the defaults are the SPEC's."""

    arch: Literal["dcgan28"] = "dcgan28"
    latent_dim: int = 100
    channels: int = 1  # filled in from the data set
    image_size: int = 28  # fixed by the layers; checked against the data set
    leaky_slope: float = 0.2
    init: Literal["dcgan", "default"] = "dcgan"  # dcgan: weights N(0, 0.02), BN scale N(1, 0.02)
    # D's normalisation: batch = the SPEC's BatchNorm2d; layer = GroupNorm(1, C), each image
    # normalised over (C, H, W) (what a gradient-penalty critic needs); none = no norm layers.
    d_norm: Literal["batch", "layer", "none"] = "batch"
    # channels of G's last and D's first hidden layer; the others double (the SPEC: 32)
    width: int = 32
    pack: int = 1  # PacGAN: D scores this many samples joined along channels (1 = off)
    mbstd: int = 0  # group size of a minibatch-std channel before D's last layer (0 = off)

    def __post_init__(self):
        if self.width < 1:
            raise ConfigError(f"width must be at least 1, got {self.width}")
        check_mixing(self.pack, self.mbstd)


class DCGAN28Generator(nn.Module):
    """z (B, latent_dim) -> image (B, C, 28, 28) in [-1, 1]."""

    def __init__(self, cfg: DCGAN28Config, latent_dim: int | None = None):
        super().__init__()
        w = cfg.width  # the SPEC: w = 32
        self.net = nn.Sequential(
            nn.ConvTranspose2d(latent_dim or cfg.latent_dim, 4 * w, 4, 2, 0, bias=False),
            nn.BatchNorm2d(4 * w),
            nn.ReLU(True),  # (B, 4w, 4, 4)
            nn.ConvTranspose2d(4 * w, 2 * w, 3, 2, 1, bias=False),
            nn.BatchNorm2d(2 * w),
            nn.ReLU(True),  # (B, 2w, 7, 7)
            nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False),
            nn.BatchNorm2d(w),
            nn.ReLU(True),  # (B, w, 14, 14)
            nn.ConvTranspose2d(w, cfg.channels, 4, 2, 1, bias=False),
            nn.Tanh(),  # (B, C, 28, 28)
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z[:, :, None, None])  # (B, latent, 1, 1) -> (B, C, 28, 28)


class DCGAN28Discriminator(nn.Module):
    """image (B, C, 28, 28) -> real/fake logit (B,); the SPEC's final Sigmoid lives in the loss."""

    def __init__(self, cfg: DCGAN28Config):
        super().__init__()
        slope, w = cfg.leaky_slope, cfg.width  # the SPEC: w = 32
        # Off by default (the SPEC's D): packing joins m images into one input of m C channels
        self.pack = Pack(cfg.pack) if cfg.pack > 1 else nn.Identity()  # (B/m, m C, 28, 28)
        self.net = nn.Sequential(
            nn.Conv2d(cfg.pack * cfg.channels, w, 4, 2, 1, bias=False),
            nn.LeakyReLU(slope, True),  # (B, w, 14, 14)
            nn.Conv2d(w, 2 * w, 4, 2, 1, bias=False),
            _norm(cfg.d_norm, 2 * w),
            nn.LeakyReLU(slope, True),  # (B, 2w, 7, 7)
            nn.Conv2d(2 * w, 4 * w, 3, 2, 1, bias=False),
            _norm(cfg.d_norm, 4 * w),
            nn.LeakyReLU(slope, True),  # (B, 4w, 4, 4)
            *([MinibatchStd(cfg.mbstd)] if cfg.mbstd else []),  # (B, 4w + 1, 4, 4)
            nn.Conv2d(4 * w + (cfg.mbstd > 0), 1, 4, 1, 0, bias=False),  # (B, 1, 1, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(self.pack(x)).flatten()  # (B,), or (B/m,) packs


def _norm(kind: str, channels: int) -> nn.Module:
    """D's normalisation layer (the layer indices stay the same for every kind)."""
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "layer":
        return nn.GroupNorm(1, channels)
    return nn.Identity()


def dcgan_init(module: nn.Module) -> None:
    """The DCGAN paper's initialisation: conv weights N(0, 0.02), norm scale N(1, 0.02)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, (nn.BatchNorm2d, nn.GroupNorm)):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def build(cfg: DCGAN28Config) -> tuple[nn.Module, nn.Module]:
    generator, discriminator = DCGAN28Generator(cfg), DCGAN28Discriminator(cfg)
    if cfg.init == "dcgan":
        generator.apply(dcgan_init)
        discriminator.apply(dcgan_init)
    return generator, discriminator
