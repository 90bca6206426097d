"""System 2: the DCGAN for 28x28 images, with the SPEC's exact layers.

With `codes` = N > 0 (off by default), G also reads an InfoGAN categorical code (Chen et al.
2016): the argmax of its noise's first N entries, one-hot, beside z, so G(z) stays a sampler
of noise alone; and D gets a code head, a Linear from its (B, 4w, 4, 4) features to N
logits that name the code of an image back (the objective's code term).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ganforge.model_configs import DCGAN28Config
from ganforge.models.sample_mixing import MinibatchStd, Pack


class DCGAN28Generator(nn.Module):
    """z (B, latent_dim) -> image (B, C, 28, 28) in [-1, 1]."""

    def __init__(self, cfg: DCGAN28Config, latent_dim: int | None = None):
        super().__init__()
        w = cfg.width  # the SPEC: w = 32
        self.codes = cfg.codes
        inputs = (latent_dim or cfg.latent_dim) + self.codes
        self.net = nn.Sequential(
            nn.ConvTranspose2d(inputs, 4 * w, 4, 2, 0, bias=False),
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
        if self.codes:
            z = torch.cat([z, F.one_hot(code_of(z, self.codes), self.codes).to(z.dtype)], 1)
        return self.net(z[:, :, None, None])  # (B, latent [+ codes], 1, 1) -> (B, C, 28, 28)


def code_of(z: torch.Tensor, codes: int) -> torch.Tensor:
    """The categorical code G reads from each noise vector: argmax of its first `codes`
    entries (uniform over the codes for z ~ N(0, I) or U(-1, 1))."""
    return z[:, :codes].argmax(dim=1)  # (B,)


FEATURES = 8  # D's layers up to its (B, 4w, 4, 4) features (the code head reads them)


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
        self.code_head = nn.Linear(4 * w * 4 * 4, cfg.codes) if cfg.codes else None

    def forward(self, x: torch.Tensor, with_codes: bool = False
                ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Logits (B,) (or (B/m,) packs); with `with_codes`, also the code head's (B, N)."""
        if not with_codes:
            return self.net(self.pack(x)).flatten()
        if self.code_head is None:
            raise ValueError("this discriminator has no code head (codes = 0)")
        h = self.net[:FEATURES](x)  # (B, 4w, 4, 4): before minibatch std and the last conv
        return self.net[FEATURES:](h).flatten(), self.code_head(h.flatten(1))  # (B,), (B, N)


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


def initialised(init: str, generator: nn.Module, discriminator: nn.Module
                ) -> tuple[nn.Module, nn.Module]:
    """The pair with the DCGAN init applied (init "dcgan"), or PyTorch's own ("default")."""
    if init != "default":
        generator.apply(dcgan_init)
        discriminator.apply(dcgan_init)
    return generator, discriminator


def build(cfg: DCGAN28Config) -> tuple[nn.Module, nn.Module]:
    return initialised(cfg.init, DCGAN28Generator(cfg), DCGAN28Discriminator(cfg))
