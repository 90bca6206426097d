"""GAN losses as pure functions of the discriminator's outputs, chosen by name from one registry.

D outputs one real number per image (a logit). The BCE losses put the sigmoid here. With
s(l) = sigmoid(l):
  -log s(l)     = softplus(-l)
  -log(1 - s(l)) = softplus(l)
so binary cross-entropy with target t is softplus(l) - t * l, the same math as the SPEC's
Sigmoid + BCELoss, but numerically stable. The other losses read D's output as a score
(least squares, a Wasserstein critic, a margin).

A loss also states what it needs from training, as data (see GanLoss): how many D updates
per G update, a gradient penalty, weight clipping. training/regularizers.py turns those
needs and the user's options into penalties and post-step hooks; nothing else names a loss.
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


def bce_fake(logits: torch.Tensor) -> torch.Tensor:
    """D's BCE on fake logits alone: BCE(fake, 0)."""
    return bce_with_target(logits, 0.0)


def bce_d_loss(
    *, real_logits: torch.Tensor, fake_logits: torch.Tensor, real_target: float = 1.0
) -> torch.Tensor:
    """D's loss: BCE(real, real_target) + BCE(fake, 0). real_target 0.9 = one-sided smoothing."""
    return bce_with_target(real_logits, real_target) + bce_fake(fake_logits)


def non_saturating_g_loss(*, fake_logits: torch.Tensor) -> torch.Tensor:
    """G's practical loss: minimise -log D(G(z)), i.e. BCE against the flipped label 1."""
    return bce_with_target(fake_logits, 1.0)


def minimax_g_loss(*, fake_logits: torch.Tensor) -> torch.Tensor:
    """G's original (saturating) loss: minimise log(1 - D(G(z))) = -softplus(l)."""
    return -F.softplus(fake_logits).mean()


def least_squares_d_loss(
    *, real_logits: torch.Tensor, fake_logits: torch.Tensor, real_target: float = 1.0
) -> torch.Tensor:
    """LSGAN (Mao et al. 2017), targets a=0 (fake), b=real_target (real):
    1/2 E[(D(x) - b)^2] + 1/2 E[D(G(z))^2]."""
    return least_squares_real(real_logits, real_target) + least_squares_fake(fake_logits)


def least_squares_real(logits: torch.Tensor, target: float = 1.0) -> torch.Tensor:
    return 0.5 * ((logits - target) ** 2).mean()


def least_squares_fake(logits: torch.Tensor) -> torch.Tensor:
    return 0.5 * (logits**2).mean()


def least_squares_g_loss(*, fake_logits: torch.Tensor) -> torch.Tensor:
    """LSGAN's G loss with target c=1: 1/2 E[(D(G(z)) - 1)^2]."""
    return 0.5 * ((fake_logits - 1.0) ** 2).mean()


def wasserstein_d_loss(
    *, real_logits: torch.Tensor, fake_logits: torch.Tensor, real_target: float = 1.0
) -> torch.Tensor:
    """The critic's loss (Arjovsky et al. 2017): E[D(G(z))] - E[D(x)], the negated estimate
    of the Wasserstein-1 distance. real_target is ignored: there are no labels to smooth."""
    del real_target
    return wasserstein_fake(fake_logits) + wasserstein_real(real_logits)


def wasserstein_real(logits: torch.Tensor, target: float = 1.0) -> torch.Tensor:
    del target
    return -logits.mean()


def wasserstein_fake(logits: torch.Tensor) -> torch.Tensor:
    return logits.mean()


def wasserstein_g_loss(*, fake_logits: torch.Tensor) -> torch.Tensor:
    """G raises the critic's score of its samples: -E[D(G(z))]."""
    return -fake_logits.mean()


def hinge_d_loss(
    *, real_logits: torch.Tensor, fake_logits: torch.Tensor, real_target: float = 1.0
) -> torch.Tensor:
    """Hinge loss (Lim & Ye 2017; Miyato et al. 2018): E[max(0, 1 - D(x))] +
    E[max(0, 1 + D(G(z)))]. real_target is ignored (the margin is the target)."""
    del real_target
    return hinge_real(real_logits) + hinge_fake(fake_logits)


def hinge_real(logits: torch.Tensor, target: float = 1.0) -> torch.Tensor:
    del target  # the margin is the target
    return F.relu(1.0 - logits).mean()


def hinge_fake(logits: torch.Tensor) -> torch.Tensor:
    return F.relu(1.0 + logits).mean()


@dataclass(frozen=True)
class GanLoss:
    """A pair of loss functions, D's and G's, with the keyword arguments above, and what the
    loss needs from training:

    critic_steps: D updates per G update when the run leaves d_steps at 0 ("the loss's own").
    gp_weight:    weight of the gradient penalty on D (0 = none); a run may override it.
    clip:         clamp D's weights to [-clip, clip] after each D update (None = never).
    d_real, d_fake: the two sides of d_loss, (real logits, real target) -> D's loss on real
                  inputs and (fake logits) -> on fake ones, for objectives that score more
                  than one kind of fake (the text objective's mismatched and generated pairs).
    """

    name: str
    d_loss: Callable[..., torch.Tensor]
    g_loss: Callable[..., torch.Tensor]
    critic_steps: int = 1
    gp_weight: float = 0.0
    clip: float | None = None
    d_real: Callable[..., torch.Tensor] | None = None
    d_fake: Callable[[torch.Tensor], torch.Tensor] | None = None


LOSSES: dict[str, GanLoss] = {loss.name: loss for loss in (
    GanLoss("non-saturating", bce_d_loss, non_saturating_g_loss, d_real=bce_with_target,
            d_fake=bce_fake),
    GanLoss("minimax", bce_d_loss, minimax_g_loss, d_real=bce_with_target, d_fake=bce_fake),
    GanLoss("least-squares", least_squares_d_loss, least_squares_g_loss,
            d_real=least_squares_real, d_fake=least_squares_fake),
    GanLoss("wasserstein", wasserstein_d_loss, wasserstein_g_loss, critic_steps=5, clip=0.01,
            d_real=wasserstein_real, d_fake=wasserstein_fake),
    GanLoss("wasserstein-gp", wasserstein_d_loss, wasserstein_g_loss, critic_steps=5,
            gp_weight=10.0, d_real=wasserstein_real, d_fake=wasserstein_fake),
    GanLoss("hinge", hinge_d_loss, wasserstein_g_loss, d_real=hinge_real, d_fake=hinge_fake),
)}


def get_loss(name: str) -> GanLoss:
    """The loss registered as `name`, or a one-line ConfigError listing the known ones."""
    try:
        return LOSSES[name]
    except KeyError:
        known = ", ".join(sorted(LOSSES))
        raise ConfigError(f"unknown loss {name!r} (known: {known})") from None
