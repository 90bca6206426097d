"""What a text-to-image network reads beside noise: the sentence vector projected to a
smaller size, and optionally StackGAN's conditioning augmentation of it. Shared by arch t2i
and arch dfgan."""

from __future__ import annotations

import torch
from torch import nn

from ganforge.errors import ConfigError
from ganforge.model_configs import TextSettings


class TextProjection(nn.Sequential):
    """Sentence vector (B, text_dim) -> (B, text_proj)."""

    def __init__(self, cfg: TextSettings):
        super().__init__(nn.Linear(cfg.text_dim, cfg.text_proj), nn.LeakyReLU(cfg.leaky_slope))


def kl_to_standard(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)), averaged over the batch and the dimensions (as
    StackGAN does, so its weight carries over): mean(mu^2 + e^logvar - 1 - logvar) / 2."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).mean()


class ConditioningAugmentation(nn.Module):
    """(B, P) projected sentence vector -> (c (B, P), KL to N(0, I)): mu and log sigma^2 from
    one linear layer, c = mu + sigma * eps while training, c = mu in eval mode."""

    def __init__(self, size: int):
        super().__init__()
        self.stats = nn.Linear(size, 2 * size)

    def forward(self, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, logvar = self.stats(t).chunk(2, dim=1)
        c = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu) if self.training else mu
        return c, kl_to_standard(mu, logvar)


def conditioning_augmentation(cfg: TextSettings) -> ConditioningAugmentation | None:
    """G's conditioning augmentation when ca_weight > 0, else None."""
    return ConditioningAugmentation(cfg.text_proj) if cfg.ca_weight > 0 else None


def check_sizes(cfg: TextSettings) -> None:
    """Refuse what arch `cfg.arch` cannot be built for, with the setting to change (each
    setting's own range is checked when the config is made)."""
    if cfg.text_dim < 1:
        raise ConfigError(f"arch {cfg.arch} needs a data set with captions to read the text "
                          "vector size from (fashion-mnist-captions, mnist-captions, "
                          "flowers102, or a folder with metadata.jsonl, metadata.csv or "
                          "NAME.txt captions: `ganforge data check PATH` says what it found)")
    if cfg.attribute_weight > 0 and (cfg.attributes < 1 or cfg.attribute_levels < 2):
        raise ConfigError("attribute_weight needs a data set whose captions state attribute "
                          "levels (fashion-mnist-captions, mnist-captions, synthetic-flowers); "
                          "add --attribute-weight 0 to train on other captions")
    cfg.refuse_image_size(cfg.image_size)


def read_caption(project: nn.Module, ca: ConditioningAugmentation | None,
                 text: torch.Tensor | None, z: torch.Tensor
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """A generator's view of its caption: the projected sentence vector (B, text_proj),
    through the conditioning augmentation when there is one, and that augmentation's KL (0
    without it). A call without a caption is one line saying how to give one."""
    if text is None:
        raise ConfigError('this generator draws images from captions: use '
                          '`ganforge generate RUN "a caption"`')
    t, kl = project(text), z.new_zeros(())
    return ca(t) if ca is not None else (t, kl)


class AttributeHead(nn.Linear):
    """D's attribute head: image features (B, F) -> logits (B, A, L), one softmax per
    attribute the captions state (its weights keep nn.Linear's names)."""

    def __init__(self, features: int, cfg: TextSettings):
        super().__init__(features, cfg.attributes * cfg.attribute_levels)
        self.shape = (cfg.attributes, cfg.attribute_levels)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return super().forward(h).view(len(h), *self.shape)


def attribute_head(features: int, cfg: TextSettings) -> AttributeHead | None:
    """The attribute head when attribute_weight > 0, else None."""
    return AttributeHead(features, cfg) if cfg.attribute_weight > 0 else None
