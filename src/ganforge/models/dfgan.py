"""Text to image with DF-GAN's design (Tao et al., "DF-GAN: A Simple and Effective Baseline
for Text-to-Image Synthesis", CVPR 2022), sized by `width`.

Generator: z -> Linear -> (B, 8w, 4, 4) -> up-sampling residual blocks, one per factor of
two -> LeakyReLU -> 3x3 convolution -> tanh. Every block fuses the condition twice: a deep
fusion step is two affine transforms, each a per-channel scale and shift predicted from the
condition (z joined to the projected sentence vector) and followed by a LeakyReLU; there is
no batch normalisation. Block: nearest up-sampling, fuse, 3x3 conv, fuse, 3x3 conv, plus a
shortcut (a 1x1 conv where the width changes).
Discriminator (one-way): 3x3 conv -> down-sampling residual blocks to (B, 8w, 4, 4); the
projected sentence vector, repeated over the 4x4 grid, is joined to those features and a
3x3 and a 4x4 convolution give the real/fake logit of the (image, sentence) pair. Beside
it, reading the image features alone: the class head (the SPEC's 102-way head; none when
num_classes is 0) and, with attribute_weight > 0, the attribute head, as in arch t2i.
Channel widths follow DF-GAN: w * min(2^i, 8) from the image side (64 px: w, 2w, 4w, 8w,
8w). The hinge loss and the matching-aware gradient penalty are the objective's options
(`--loss hinge --ma-gp-weight 2`), as for arch t2i.
"""

from __future__ import annotations

import itertools
import math

import torch
import torch.nn.functional as F
from torch import nn

from ganforge.model_configs import DFGANConfig
from ganforge.models.text_input import (
    TextProjection,
    attribute_head,
    check_sizes,
    conditioning_augmentation,
    read_caption,
)


def widths(cfg: DFGANConfig) -> list[int]:
    """Channels from the image side to the 4x4 features: w * min(2^i, 8), one entry per
    resolution from S down to 4 (64 px: [w, 2w, 4w, 8w, 8w])."""
    levels = int(math.log2(cfg.image_size)) - 1
    return [cfg.width * min(2 ** i, 8) for i in range(levels)]


class Affine(nn.Module):
    """(x (B, C, H, W), condition (B, c)) -> scale(c) * x + shift(c), per channel; the scale
    starts at 1 and the shift at 0, so a new block passes its input through."""

    def __init__(self, cond_dim: int, channels: int):
        super().__init__()
        self.scale = nn.Sequential(nn.Linear(cond_dim, channels), nn.ReLU(True),
                                   nn.Linear(channels, channels))
        self.shift = nn.Sequential(nn.Linear(cond_dim, channels), nn.ReLU(True),
                                   nn.Linear(channels, channels))
        for last, bias in ((self.scale[-1], 1.0), (self.shift[-1], 0.0)):
            nn.init.zeros_(last.weight)
            nn.init.constant_(last.bias, bias)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        return torch.addcmul(self.shift(c)[:, :, None, None], self.scale(c)[:, :, None, None], x)


class Fusion(nn.Module):
    """DF-GAN's deep fusion: affine, LeakyReLU, affine, LeakyReLU."""

    def __init__(self, cond_dim: int, channels: int, slope: float):
        super().__init__()
        self.first, self.second = Affine(cond_dim, channels), Affine(cond_dim, channels)
        self.slope = slope

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        x = F.leaky_relu(self.first(x, c), self.slope, inplace=True)
        return F.leaky_relu(self.second(x, c), self.slope, inplace=True)


class UpBlock(nn.Module):
    """(B, c_in, H, W) -> (B, c_out, 2H, 2W), the condition fused before each convolution."""

    def __init__(self, cond_dim: int, c_in: int, c_out: int, slope: float):
        super().__init__()
        self.fuse1, self.conv1 = Fusion(cond_dim, c_in, slope), nn.Conv2d(c_in, c_out, 3, 1, 1)
        self.fuse2, self.conv2 = Fusion(cond_dim, c_out, slope), nn.Conv2d(c_out, c_out, 3, 1, 1)
        self.shortcut = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, scale_factor=2.0, mode="nearest")  # (B, c_in, 2H, 2W)
        h = self.conv2(self.fuse2(self.conv1(self.fuse1(x, c)), c))  # (B, c_out, 2H, 2W)
        return self.shortcut(x) + h


class DownBlock(nn.Module):
    """(B, c_in, H, W) -> (B, c_out, H/2, W/2): a residual block whose residual is scaled by a
    learnt gamma that starts at 0 (DF-GAN's D_Block)."""

    def __init__(self, c_in: int, c_out: int, slope: float):
        super().__init__()
        self.residual = nn.Sequential(
            nn.Conv2d(c_in, c_out, 4, 2, 1, bias=False), nn.LeakyReLU(slope, True),
            nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False), nn.LeakyReLU(slope, True))
        self.shortcut = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()
        self.gamma = nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.avg_pool2d(self.shortcut(x), 2) + self.gamma * self.residual(x)


class DFGANGenerator(nn.Module):
    """(z (B, latent_dim), text (B, text_dim)) -> image (B, C, S, S) in [-1, 1]; with
    with_kl=True, (image, KL of the conditioning augmentation, 0 without it)."""

    def __init__(self, cfg: DFGANConfig):
        super().__init__()
        chans = widths(cfg)[::-1]  # 64 px: [8w, 8w, 4w, 2w, w]
        cond_dim = cfg.latent_dim + cfg.text_proj
        self.project = TextProjection(cfg)
        self.ca = conditioning_augmentation(cfg)
        self.top = nn.Linear(cfg.latent_dim, chans[0] * 16)
        self.blocks = nn.ModuleList(UpBlock(cond_dim, a, b, cfg.leaky_slope)
                                    for a, b in itertools.pairwise(chans))
        self.to_image = nn.Sequential(nn.LeakyReLU(cfg.leaky_slope),
                                      nn.Conv2d(chans[-1], cfg.channels, 3, 1, 1), nn.Tanh())

    def forward(self, z: torch.Tensor, text: torch.Tensor | None = None,
                with_kl: bool = False) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        t, kl = read_caption(self.project, self.ca, text, z)
        c = torch.cat([z, t], dim=1)  # (B, latent_dim + text_proj)
        h = self.top(z).view(len(z), -1, 4, 4)  # (B, 8w, 4, 4)
        for block in self.blocks:  # (B, 8w, 8, 8) ... (B, w, S, S)
            h = block(h, c)
        images = self.to_image(h)  # (B, C, S, S)
        return (images, kl) if with_kl else images


class DFGANDiscriminator(nn.Module):
    """(image (B, C, S, S), text (B, text_dim)) -> (real/fake logit (B,), class logits (B, K)
    or None without classes, attribute logits (B, A, L) or None without the attribute head)."""

    def __init__(self, cfg: DFGANConfig):
        super().__init__()
        chans, s = widths(cfg), cfg.leaky_slope
        top, features = chans[-1], chans[-1] * 16
        self.image = nn.Sequential(
            nn.Conv2d(cfg.channels, chans[0], 3, 1, 1),  # (B, w, S, S)
            *(DownBlock(a, b, s) for a, b in itertools.pairwise(chans)))  # (B, 8w, 4, 4)
        self.project = TextProjection(cfg)
        self.joint = nn.Sequential(
            nn.Conv2d(top + cfg.text_proj, 2 * cfg.width, 3, 1, 1), nn.LeakyReLU(s, True),
            nn.Conv2d(2 * cfg.width, 1, 4, 1, 0))  # (B, 1, 1, 1)
        self.classes = nn.Linear(features, cfg.num_classes) if cfg.num_classes else None
        self.attributes = attribute_head(features, cfg)

    def forward(self, x: torch.Tensor, text: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        h = self.image(x)  # (B, 8w, 4, 4)
        t = self.project(text)[:, :, None, None].expand(-1, -1, *h.shape[2:])  # (B, P, 4, 4)
        logit = self.joint(torch.cat([h, t], dim=1)).flatten()  # (B,)
        flat = h.flatten(1)  # (B, 16 * 8w)
        classes = None if self.classes is None else self.classes(flat)  # (B, K)
        attributes = None if self.attributes is None else self.attributes(flat)  # (B, A, L)
        return logit, classes, attributes


def build(cfg: DFGANConfig) -> tuple[nn.Module, nn.Module]:
    check_sizes(cfg)
    return DFGANGenerator(cfg), DFGANDiscriminator(cfg)
