"""The class-conditional twin of the DCGAN (models/dcgan.py), as cdcgan28 is of dcgan28: the
class fed to G as a learned embedding beside z, and a projection discriminator (Miyato &
Koyama 2018): D(x, y) = head(h) + <embed(y), sum over space of h>, h = D's (B, m0 w, 4, 4)
features.

G draws its class from its noise when none is given (cdcgan28.classes_from_noise: the argmax
of z's first num_classes values, uniform over the classes), so G(z) is an ordinary sampler.
"""

from __future__ import annotations

import torch
from torch import nn

from ganforge.model_configs import CDCGANConfig
from ganforge.models.cdcgan28 import classes_from_noise
from ganforge.models.dcgan import DCGANDiscriminator, DCGANGenerator, multiples
from ganforge.models.dcgan28 import initialised


class CDCGANGenerator(nn.Module):
    """(z (B, latent_dim), classes (B,) or None) -> image (B, C, S, S) in [-1, 1]."""

    def __init__(self, cfg: CDCGANConfig):
        super().__init__()
        self.num_classes = cfg.num_classes
        self.embed = nn.Embedding(cfg.num_classes, cfg.embed_dim)
        self.body = DCGANGenerator(cfg.base(), latent_dim=cfg.latent_dim + cfg.embed_dim)

    def forward(self, z: torch.Tensor, classes: torch.Tensor | None = None) -> torch.Tensor:
        if classes is None:
            classes = classes_from_noise(z, self.num_classes)
        return self.body(torch.cat([z, self.embed(classes)], dim=1))  # (B, L + E) -> image


class CDCGANDiscriminator(nn.Module):
    """(image (B, C, S, S), classes (B,)) -> real/fake logit (B,)."""

    def __init__(self, cfg: CDCGANConfig):
        super().__init__()
        base = DCGANDiscriminator(cfg.base()).net
        self.features, self.head = base[:-1], base[-1]  # (B, m0 w, 4, 4); conv to (B, 1, 1, 1)
        self.embed = nn.Embedding(cfg.num_classes, multiples(cfg.image_size)[0] * cfg.width)

    def forward(self, x: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
        h = self.features(x)  # (B, m0 w, 4, 4)
        projection = (self.embed(classes) * h.sum(dim=(2, 3))).sum(dim=1)  # (B,)
        return self.head(h).flatten() + projection  # (B,)


def build(cfg: CDCGANConfig) -> tuple[nn.Module, nn.Module]:
    generator, discriminator = initialised(cfg.init, CDCGANGenerator(cfg), CDCGANDiscriminator(cfg))
    nn.init.normal_(discriminator.embed.weight, 0.0, 0.02)  # small: starts near unconditional
    return generator, discriminator
