"""System 1: the fully connected GAN (generator and discriminator made of Linear layers)."""

from __future__ import annotations

import torch
from torch import nn

from ganforge.model_configs import MLPConfig
from ganforge.models.sample_mixing import MinibatchStd, Pack


def _hidden_stack(sizes: list[int], start: int, slope: float, dropout: float, batchnorm: bool):
    layers: list[nn.Module] = []
    width = start
    for size in sizes:
        layers.append(nn.Linear(width, size))
        if batchnorm:
            layers.append(nn.BatchNorm1d(size))
        layers.append(nn.LeakyReLU(slope))
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = size
    return layers, width


class MLPGenerator(nn.Module):
    """z (B, latent_dim) -> image (B, C, H, W) in [-1, 1]."""

    def __init__(self, cfg: MLPConfig):
        super().__init__()
        self.out_shape = (cfg.channels, cfg.image_size, cfg.image_size)
        out_features = cfg.channels * cfg.image_size * cfg.image_size
        layers, width = _hidden_stack(
            cfg.g_hidden, cfg.latent_dim, cfg.leaky_slope, cfg.g_dropout, cfg.g_batchnorm
        )
        self.net = nn.Sequential(*layers, nn.Linear(width, out_features), nn.Tanh())

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.net(z)  # (B, C*H*W)
        return x.view(z.shape[0], *self.out_shape)  # (B, C, H, W)


class MLPDiscriminator(nn.Module):
    """image (B, C, H, W) -> real/fake logit (B,); the sigmoid lives in the loss."""

    def __init__(self, cfg: MLPConfig):
        super().__init__()
        in_features = cfg.pack * cfg.channels * cfg.image_size * cfg.image_size
        layers, width = _hidden_stack(
            cfg.d_hidden, in_features, cfg.leaky_slope, cfg.d_dropout, batchnorm=False
        )
        self.pack = Pack(cfg.pack) if cfg.pack > 1 else nn.Identity()  # (B/m, m C*H*W)
        std = [MinibatchStd(cfg.mbstd)] if cfg.mbstd else []  # (B, F) -> (B, F + 1)
        self.net = nn.Sequential(*layers, *std, nn.Linear(width + len(std), 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(self.pack(x.flatten(1))).squeeze(1)  # (B, C*H*W) -> (B,) or (B/m,)


def build(cfg: MLPConfig) -> tuple[nn.Module, nn.Module]:
    return MLPGenerator(cfg), MLPDiscriminator(cfg)
