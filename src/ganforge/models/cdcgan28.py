"""A class-conditional DCGAN for 28x28 images: the SPEC's DCGAN layers (optionally wider),
with the class fed to G as a learned embedding beside z, and a projection discriminator
(Miyato & Koyama 2018): D(x, y) = head(h) + <embed(y), sum over space of h>, h = D's features.

G draws its class from its noise when none is given: y = argmax of z's first num_classes
coordinates, which is uniform over the classes for z ~ N(0, I) (or U(-1, 1)) and fixed by the
seed, so G(z) is an ordinary unconditional sampler for every tool that only has noise.
"""

from __future__ import annotations

import torch
from torch import nn

from ganforge.model_configs import CDCGAN28Config
from ganforge.models.dcgan28 import (
    DCGAN28Discriminator,
    DCGAN28Generator,
    initialised,
)


def classes_from_noise(z: torch.Tensor, num_classes: int) -> torch.Tensor:
    """The class G draws for each noise vector: argmax of its first num_classes values."""
    return z[:, :num_classes].argmax(dim=1)  # (B,)


class CDCGAN28Generator(nn.Module):
    """(z (B, latent_dim), classes (B,) or None) -> image (B, C, 28, 28) in [-1, 1]."""

    def __init__(self, cfg: CDCGAN28Config):
        super().__init__()
        self.num_classes = cfg.num_classes
        self.embed = nn.Embedding(cfg.num_classes, cfg.embed_dim)
        self.body = DCGAN28Generator(cfg.base(), latent_dim=cfg.latent_dim + cfg.embed_dim)

    def forward(self, z: torch.Tensor, classes: torch.Tensor | None = None) -> torch.Tensor:
        if classes is None:
            classes = classes_from_noise(z, self.num_classes)
        return self.body(torch.cat([z, self.embed(classes)], dim=1))  # (B, L + E) -> image


class CDCGAN28Discriminator(nn.Module):
    """(image (B, C, 28, 28), classes (B,)) -> real/fake logit (B,)."""

    def __init__(self, cfg: CDCGAN28Config):
        super().__init__()
        base = DCGAN28Discriminator(cfg.base()).net
        self.features, self.head = base[:-1], base[-1]  # (B, 4w, 4, 4); conv to (B, 1, 1, 1)
        self.embed = nn.Embedding(cfg.num_classes, 4 * cfg.width)

    def forward(self, x: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
        h = self.features(x)  # (B, 4w, 4, 4)
        projection = (self.embed(classes) * h.sum(dim=(2, 3))).sum(dim=1)  # (B,)
        return self.head(h).flatten() + projection  # (B,)


def build(cfg: CDCGAN28Config) -> tuple[nn.Module, nn.Module]:
    generator, discriminator = initialised(cfg.init, CDCGAN28Generator(cfg),
                                           CDCGAN28Discriminator(cfg))
    nn.init.normal_(discriminator.embed.weight, 0.0, 0.02)  # small: starts near unconditional
    return generator, discriminator
