"""System 2: the DCGAN for 28x28 images, with the SPEC's exact layers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn


@dataclass
class DCGAN28Config:
    """The SPEC's DCGAN. Only the channel count (1 for digits), the init and D's norm vary."""

    arch: Literal["dcgan28"] = "dcgan28"
    latent_dim: int = 100
    channels: int = 1  # filled in from the data set
    image_size: int = 28  # fixed by the layers; checked against the data set
    leaky_slope: float = 0.2
    init: Literal["dcgan", "default"] = "dcgan"  # dcgan: weights N(0, 0.02), BN scale N(1, 0.02)
    # D's normalisation: batch = the SPEC's BatchNorm2d; layer = GroupNorm(1, C), each image
    # normalised over (C, H, W) (what a gradient-penalty critic needs); none = no norm layers.
    d_norm: Literal["batch", "layer", "none"] = "batch"


class DCGAN28Generator(nn.Module):
    """z (B, latent_dim) -> image (B, C, 28, 28) in [-1, 1]."""

    def __init__(self, cfg: DCGAN28Config):
        super().__init__()
        self.net = nn.Sequential(
            nn.ConvTranspose2d(cfg.latent_dim, 128, 4, 2, 0, bias=False),
            nn.BatchNorm2d(128),
            nn.ReLU(True),  # (B, 128, 4, 4)
            nn.ConvTranspose2d(128, 64, 3, 2, 1, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(True),  # (B, 64, 7, 7)
            nn.ConvTranspose2d(64, 32, 4, 2, 1, bias=False),
            nn.BatchNorm2d(32),
            nn.ReLU(True),  # (B, 32, 14, 14)
            nn.ConvTranspose2d(32, cfg.channels, 4, 2, 1, bias=False),
            nn.Tanh(),  # (B, C, 28, 28)
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z[:, :, None, None])  # (B, latent, 1, 1) -> (B, C, 28, 28)


class DCGAN28Discriminator(nn.Module):
    """image (B, C, 28, 28) -> real/fake logit (B,); the SPEC's final Sigmoid lives in the loss."""

    def __init__(self, cfg: DCGAN28Config):
        super().__init__()
        slope = cfg.leaky_slope
        self.net = nn.Sequential(
            nn.Conv2d(cfg.channels, 32, 4, 2, 1, bias=False),
            nn.LeakyReLU(slope, True),  # (B, 32, 14, 14)
            nn.Conv2d(32, 64, 4, 2, 1, bias=False),
            _norm(cfg.d_norm, 64),
            nn.LeakyReLU(slope, True),  # (B, 64, 7, 7)
            nn.Conv2d(64, 128, 3, 2, 1, bias=False),
            _norm(cfg.d_norm, 128),
            nn.LeakyReLU(slope, True),  # (B, 128, 4, 4)
            nn.Conv2d(128, 1, 4, 1, 0, bias=False),  # (B, 1, 1, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).flatten()  # (B,)


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
