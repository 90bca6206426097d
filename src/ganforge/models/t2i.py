"""System 3: the text-to-image GAN. G draws an image from a caption's sentence vector and
noise; D scores an (image, caption) pair as real or fake and names the image's class.

Generator: [text vector -> Linear -> LeakyReLU (text_proj) ; z (latent_dim)] viewed as a
(B, D, 1, 1) tensor -> transposed convolutions with BatchNorm and LeakyReLU -> tanh image.
Discriminator: convolutions -> flattened image vector, joined to the projected text vector
-> dense layer -> a real/fake logit and class logits (the auxiliary class head; none when
num_classes is 0, for captioned images without classes).
Sizes: 28x28 (the MNIST sets), 64x64 (flowers) or 128x128 (one more up/down block, the
widest layer 16w); text_dim comes from the text encoder.

Options (off by default; docs/text-to-image.md):
- text_head "projection": D's dense layer sees the image alone, giving its image feature
  vector h; the real/fake logit is w.h + b plus the inner product <h, V t> of h with a
  projection V t of the projected sentence vector t (Miyato & Koyama 2018's projection);
- attribute_weight > 0: an attribute head in D beside the class head, reading the image
  features alone: `attributes` x `attribute_levels` logits, one softmax per attribute the
  captions state (the objective trains it on real images and scores G's images with it);
- polar_harmonics K > 0: fixed polar position channels (models/polar.py: the radius, cos and
  sin of k times the angle about the centre, k = 1..K) appended to the inputs of G's last
  two up-sampling layers, and with polar_in "g+d" to the input of D's third convolution;
- ca_weight > 0: conditioning augmentation in G (StackGAN, Zhang et al. 2017): the projected
  sentence vector gives mu and log sigma^2, G reads c = mu + sigma * eps (c = mu in eval
  mode, so sampling stays seeded), and the objective adds ca_weight * KL(N(mu, sigma^2) ||
  N(0, I)) to G's loss.
"""

from __future__ import annotations

import torch
from torch import nn

from ganforge.model_configs import T2IConfig
from ganforge.models.dcgan28 import dcgan_init
from ganforge.models.polar import polar_channels, polar_layers
from ganforge.models.text_input import (
    TextProjection,
    attribute_head,
    check_sizes,
    conditioning_augmentation,
    read_caption,
)


def _up(c_in: int, c_out: int, kernel: int, stride: int, pad: int, slope: float) -> list:
    return [nn.ConvTranspose2d(c_in, c_out, kernel, stride, pad, bias=False),
            nn.BatchNorm2d(c_out), nn.LeakyReLU(slope, True)]


def _down(c_in: int, c_out: int, kernel: int, norm: bool, slope: float) -> list:
    layers: list = [nn.Conv2d(c_in, c_out, kernel, 2, 1, bias=False)]
    return layers + ([nn.BatchNorm2d(c_out)] if norm else []) + [nn.LeakyReLU(slope, True)]


def _g_layers(cfg: T2IConfig, d: int) -> list[nn.Module]:
    """G's layers from (B, d, 1, 1) to (B, w + p, S/2, S/2), p polar channels (0 when off)
    at the inputs of its last two up-sampling layers."""
    w, s, k, p = cfg.width, cfg.leaky_slope, cfg.polar_harmonics, polar_channels(
        cfg.polar_harmonics)
    if cfg.image_size == 28:
        return [*_up(d, 4 * w, 4, 1, 0, s),  # (B, 4w, 4, 4)
                *_up(4 * w, 2 * w, 3, 2, 1, s),  # (B, 2w, 7, 7)
                *polar_layers(k, 7),  # (B, 2w + p, 7, 7)
                *_up(2 * w + p, w, 4, 2, 1, s),  # (B, w, 14, 14)
                *polar_layers(k, 14)]  # (B, w + p, 14, 14)
    top = cfg.image_size // 8  # 8 at 64 px, 16 at 128 px
    layers = _up(d, top * w, 4, 1, 0, s)  # (B, 8w, 4, 4) at 64 px, (B, 16w, 4, 4) at 128
    size, m = 4, top
    while m > 2:  # (B, m/2 w, 2 size, 2 size) ... (B, 2w, S/4, S/4)
        layers += _up(m * w, m // 2 * w, 4, 2, 1, s)
        size, m = 2 * size, m // 2
    return [*layers,
            *polar_layers(k, size),  # (B, 2w + p, S/4, S/4)
            *_up(2 * w + p, w, 4, 2, 1, s),  # (B, w, S/2, S/2)
            *polar_layers(k, 2 * size)]  # (B, w + p, S/2, S/2)


def _d_layers(cfg: T2IConfig) -> tuple[list[nn.Module], int]:
    """D's convolutions from the image to (B, m w, 4, 4), and that feature count; p polar
    channels (0 when off) at the input of its third convolution."""
    w, s = cfg.width, cfg.leaky_slope
    k = cfg.polar_harmonics if cfg.polar_in == "g+d" else 0
    p = polar_channels(k)
    if cfg.image_size == 28:
        return [*_down(cfg.channels, w, 4, False, s),  # (B, w, 14, 14)
                *_down(w, 2 * w, 4, True, s),  # (B, 2w, 7, 7)
                *polar_layers(k, 7),  # (B, 2w + p, 7, 7)
                *_down(2 * w + p, 4 * w, 3, True, s)], 4 * w * 16  # (B, 4w, 4, 4)
    size = cfg.image_size // 4
    layers = [*_down(cfg.channels, w, 4, False, s),  # (B, w, S/2, S/2)
              *_down(w, 2 * w, 4, True, s),  # (B, 2w, S/4, S/4)
              *polar_layers(k, size),  # (B, 2w + p, S/4, S/4)
              *_down(2 * w + p, 4 * w, 4, True, s)]  # (B, 4w, S/8, S/8)
    m = 4
    while size > 8:  # (B, 2m w, S/16, S/16) ... (B, 8w, 4, 4) at 64 px, (B, 16w, 4, 4) at 128
        layers += _down(m * w, 2 * m * w, 4, True, s)
        size, m = size // 2, 2 * m
    return layers, m * w * 16


class T2IGenerator(nn.Module):
    """(z (B, latent_dim), text (B, text_dim)) -> image (B, C, S, S) in [-1, 1]; with
    with_kl=True, (image, KL of the conditioning augmentation, 0 without it)."""

    def __init__(self, cfg: T2IConfig):
        super().__init__()
        w, p = cfg.width, polar_channels(cfg.polar_harmonics)  # p = 0 when off
        self.project = TextProjection(cfg)
        self.ca = conditioning_augmentation(cfg)
        self.net = nn.Sequential(
            *_g_layers(cfg, cfg.text_proj + cfg.latent_dim),  # (B, w + p, S/2, S/2)
            nn.ConvTranspose2d(w + p, cfg.channels, 4, 2, 1, bias=False),  # (B, C, S, S)
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor, text: torch.Tensor | None = None,
                with_kl: bool = False) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        c, kl = read_caption(self.project, self.ca, text, z)
        h = torch.cat([c, z], dim=1)  # (B, text_proj + latent_dim)
        images = self.net(h[:, :, None, None])
        return (images, kl) if with_kl else images


class T2IDiscriminator(nn.Module):
    """(image (B, C, S, S), text (B, text_dim)) -> (real/fake logit (B,), class logits (B, K)
    or None without classes, attribute logits (B, A, L) or None without the attribute head)."""

    def __init__(self, cfg: T2IConfig):
        super().__init__()
        w, s = cfg.width, cfg.leaky_slope
        layers, features = _d_layers(cfg)
        self.image = nn.Sequential(*layers, nn.Flatten())  # (B, features)
        self.project = TextProjection(cfg)
        hidden = 8 * w
        # concat: the dense layer reads [image ; text]; projection: the image alone, and the
        # text enters the logit through <h, embed(t)>
        self.embed = nn.Linear(cfg.text_proj, hidden, bias=False) \
            if cfg.text_head == "projection" else None
        joined = features + (cfg.text_proj if self.embed is None else 0)
        self.joint = nn.Sequential(nn.Linear(joined, hidden), nn.LeakyReLU(s, True))  # (B, hidden)
        self.real_fake = nn.Linear(hidden, 1)
        self.classes = nn.Linear(hidden, cfg.num_classes) if cfg.num_classes else None
        self.attributes = attribute_head(features, cfg)

    def forward(self, x: torch.Tensor, text: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        t, image = self.project(text), self.image(x)  # (B, text_proj), (B, features)
        attributes = None if self.attributes is None else self.attributes(image)  # (B, A, L)
        if self.embed is None:
            h = self.joint(torch.cat([image, t], dim=1))  # (B, hidden)
            logit = self.real_fake(h).flatten()  # (B,)
        else:
            h = self.joint(image)
            logit = self.real_fake(h).flatten() + (h * self.embed(t)).sum(dim=1)
        classes = None if self.classes is None else self.classes(h)  # (B, K)
        return logit, classes, attributes


def build(cfg: T2IConfig) -> tuple[nn.Module, nn.Module]:
    check_sizes(cfg)
    generator, discriminator = T2IGenerator(cfg), T2IDiscriminator(cfg)
    generator.apply(dcgan_init)
    discriminator.apply(dcgan_init)
    return generator, discriminator
