"""System 3: the text-to-image GAN. G draws an image from a caption's sentence vector and
noise; D scores an (image, caption) pair as real or fake and names the image's class.

Generator: [text vector -> Linear -> LeakyReLU (text_proj) ; z (latent_dim)] viewed as a
(B, D, 1, 1) tensor -> transposed convolutions with BatchNorm and LeakyReLU -> tanh image.
Discriminator: convolutions -> flattened image vector, joined to the projected text vector
-> dense layer -> a real/fake logit and class logits (the auxiliary class head).
Sizes: 28x28 (the MNIST sets) or 64x64 (flowers); text_dim comes from the text encoder.
"""

from __future__ import annotations

import torch
from torch import nn

from ganforge.errors import ConfigError
from ganforge.model_configs import T2IConfig
from ganforge.models.dcgan28 import dcgan_init


def _up(c_in: int, c_out: int, kernel: int, stride: int, pad: int, slope: float) -> list:
    return [nn.ConvTranspose2d(c_in, c_out, kernel, stride, pad, bias=False),
            nn.BatchNorm2d(c_out), nn.LeakyReLU(slope, True)]


def _down(c_in: int, c_out: int, kernel: int, norm: bool, slope: float) -> list:
    layers: list = [nn.Conv2d(c_in, c_out, kernel, 2, 1, bias=False)]
    return layers + ([nn.BatchNorm2d(c_out)] if norm else []) + [nn.LeakyReLU(slope, True)]


class TextProjection(nn.Sequential):
    """Sentence vector (B, text_dim) -> (B, text_proj)."""

    def __init__(self, cfg: T2IConfig):
        super().__init__(nn.Linear(cfg.text_dim, cfg.text_proj), nn.LeakyReLU(cfg.leaky_slope))


class T2IGenerator(nn.Module):
    """(z (B, latent_dim), text (B, text_dim)) -> image (B, C, S, S) in [-1, 1]."""

    def __init__(self, cfg: T2IConfig):
        super().__init__()
        w, s, d = cfg.width, cfg.leaky_slope, cfg.text_proj + cfg.latent_dim
        self.project = TextProjection(cfg)
        if cfg.image_size == 28:
            layers = [*_up(d, 4 * w, 4, 1, 0, s),  # (B, 4w, 4, 4)
                      *_up(4 * w, 2 * w, 3, 2, 1, s),  # (B, 2w, 7, 7)
                      *_up(2 * w, w, 4, 2, 1, s)]  # (B, w, 14, 14)
        else:
            layers = [*_up(d, 8 * w, 4, 1, 0, s),  # (B, 8w, 4, 4)
                      *_up(8 * w, 4 * w, 4, 2, 1, s),  # (B, 4w, 8, 8)
                      *_up(4 * w, 2 * w, 4, 2, 1, s),  # (B, 2w, 16, 16)
                      *_up(2 * w, w, 4, 2, 1, s)]  # (B, w, 32, 32)
        self.net = nn.Sequential(
            *layers,
            nn.ConvTranspose2d(w, cfg.channels, 4, 2, 1, bias=False),  # (B, C, S, S)
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor, text: torch.Tensor | None = None) -> torch.Tensor:
        if text is None:
            raise ConfigError('this generator draws images from captions: use '
                              '`ganforge generate RUN "a caption"`')
        h = torch.cat([self.project(text), z], dim=1)  # (B, text_proj + latent_dim)
        return self.net(h[:, :, None, None])


class T2IDiscriminator(nn.Module):
    """(image (B, C, S, S), text (B, text_dim)) -> (real/fake logit (B,), class logits (B, K))."""

    def __init__(self, cfg: T2IConfig):
        super().__init__()
        w, s = cfg.width, cfg.leaky_slope
        if cfg.image_size == 28:
            layers = [*_down(cfg.channels, w, 4, False, s),  # (B, w, 14, 14)
                      *_down(w, 2 * w, 4, True, s),  # (B, 2w, 7, 7)
                      *_down(2 * w, 4 * w, 3, True, s)]  # (B, 4w, 4, 4)
            features = 4 * w * 16
        else:
            layers = [*_down(cfg.channels, w, 4, False, s),  # (B, w, 32, 32)
                      *_down(w, 2 * w, 4, True, s),  # (B, 2w, 16, 16)
                      *_down(2 * w, 4 * w, 4, True, s),  # (B, 4w, 8, 8)
                      *_down(4 * w, 8 * w, 4, True, s)]  # (B, 8w, 4, 4)
            features = 8 * w * 16
        self.image = nn.Sequential(*layers, nn.Flatten())  # (B, features)
        self.project = TextProjection(cfg)
        hidden = 8 * w
        self.joint = nn.Sequential(nn.Linear(features + cfg.text_proj, hidden),
                                   nn.LeakyReLU(s, True))  # (B, hidden)
        self.real_fake = nn.Linear(hidden, 1)
        self.classes = nn.Linear(hidden, cfg.num_classes)

    def forward(self, x: torch.Tensor, text: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.joint(torch.cat([self.image(x), self.project(text)], dim=1))
        return self.real_fake(h).flatten(), self.classes(h)  # (B,), (B, K)


def check(cfg: T2IConfig) -> None:
    """Refuse sizes the networks cannot be built for, with the setting to change."""
    if cfg.text_dim < 1:
        raise ConfigError("arch t2i needs a data set with captions to read the text vector size "
                          "from (fashion-mnist-captions, mnist-captions, flowers102)")
    if cfg.image_size not in (28, 64):
        raise ConfigError(f"arch t2i builds 28x28 or 64x64 images, not {cfg.image_size}x"
                          f"{cfg.image_size}")
    if cfg.class_weight < 0 or cfg.diversity_weight < 0:
        raise ConfigError("arch t2i: class_weight and diversity_weight must be 0 or more")
    for name in ("latent_dim", "text_proj", "width", "num_classes", "channels"):
        if getattr(cfg, name) < 1:
            raise ConfigError(f"arch t2i: {name} must be at least 1, got {getattr(cfg, name)}")


def build(cfg: T2IConfig) -> tuple[nn.Module, nn.Module]:
    check(cfg)
    generator, discriminator = T2IGenerator(cfg), T2IDiscriminator(cfg)
    generator.apply(dcgan_init)
    discriminator.apply(dcgan_init)
    return generator, discriminator
