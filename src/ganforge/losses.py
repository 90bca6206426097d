"""GAN losses as pure functions of the discriminator's logits, chosen by name from one registry.

D outputs logits; the sigmoid lives here. With s(l) = sigmoid(l):
  -log s(l)     = softplus(-l)
  -log(1 - s(l)) = softplus(l)
so binary cross-entropy with target t is softplus(l) - t * l, the same math as the SPEC's
Sigmoid + BCELoss, but numerically stable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ganforge.errors import ConfigError


def bce_with_target(logits: torch.Tensor, target: float) -> torch.Tensor:
    """Mean binary cross-entropy of sigmoid(logits) against a constant target in [0, 1]."""
    return (F.softplus(logits) - target * logits).mean()


def bce_d_loss(
    *, real_logits: torch.Tensor, fake_logits: torch.Tensor, real_target: float = 1.0
) -> torch.Tensor:
    """D's loss: BCE(real, real_target) + BCE(fake, 0). real_target 0.9 = one-sided smoothing."""
    return bce_with_target(real_logits, real_target) + bce_with_target(fake_logits, 0.0)


def non_saturating_g_loss(*, fake_logits: torch.Tensor) -> torch.Tensor:
    """G's practical loss: minimise -log D(G(z)), i.e. BCE against the flipped label 1."""
    return bce_with_target(fake_logits, 1.0)


def minimax_g_loss(*, fake_logits: torch.Tensor) -> torch.Tensor:
    """G's original (saturating) loss: minimise log(1 - D(G(z))) = -softplus(l)."""
    return -F.softplus(fake_logits).mean()


@dataclass(frozen=True)
class GanLoss:
    """A pair of loss functions, D's and G's, with the keyword arguments above."""

    name: str
    d_loss: Callable[..., torch.Tensor]
    g_loss: Callable[..., torch.Tensor]


LOSSES: dict[str, GanLoss] = {
    "non-saturating": GanLoss("non-saturating", bce_d_loss, non_saturating_g_loss),
    "minimax": GanLoss("minimax", bce_d_loss, minimax_g_loss),
}


def get_loss(name: str) -> GanLoss:
    try:
        return LOSSES[name]
    except KeyError:
        known = ", ".join(sorted(LOSSES))
        raise ConfigError(f"unknown loss {name!r} (known: {known})") from None
