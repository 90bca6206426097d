"""Penalties and stabilisers of the discriminator, composed from a loss's needs and a run's
options, so that neither the trainer nor the models name a loss.

- gradient penalty (WGAN-GP, Gulrajani et al. 2017): weight * E[(|grad D(x_hat)| - 1)^2] at
  random interpolates x_hat of real and fake images;
- R1 (Mescheder et al. 2018): weight / 2 * E[|grad D(x)|^2] on real images;
- the matching-aware gradient penalty of DF-GAN (Tao et al. 2022), for a D of (image, caption)
  pairs: weight * E[(|grad_x D|^2 + |grad_t D|^2)^(power / 2)] on real pairs, both inputs;
- weight clipping (WGAN): D's weights clamped to [-c, c] after each D update;
- spectral normalisation of D's linear and convolution layers (Miyato et al. 2018);
- instance noise (Sønderby et al. 2016): Gaussian noise on D's inputs, its std falling
  linearly from the given value to 0 over the run;
- differentiable augmentation (Zhao et al. 2020) of D's inputs, real and fake alike
  (augment.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch
from torch import nn

from ganforge.errors import ConfigError
from ganforge.models.spectral import spectral_normalize
from ganforge.training.augment import DiffAugment
from ganforge.training.lr_schedule import LinearDecay

if TYPE_CHECKING:
    from ganforge.config import LossConfig
    from ganforge.losses import GanLoss
    from ganforge.training.observers import LoopView

Penalty = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]  # (d, real, fake)
DHook = Callable[[nn.Module], None]  # run on D after each D update


def input_gradient_norms(d: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """|dD(x_i)/dx_i|_2 for each image (B,), differentiable (the graph is kept)."""
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(d(x).sum(), x, create_graph=True)
    return grad.flatten(1).norm(2, dim=1)


@dataclass(frozen=True)
class GradientPenalty:
    """weight * E[(|grad D(x_hat)| - 1)^2], x_hat = e * real + (1 - e) * fake, e ~ U(0, 1)."""

    weight: float

    def __call__(self, d: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        e = torch.rand(real.shape[0], *([1] * (real.dim() - 1)), device=real.device)
        x_hat = e * real.detach() + (1.0 - e) * fake.detach()
        return self.weight * ((input_gradient_norms(d, x_hat) - 1.0) ** 2).mean()


@dataclass(frozen=True)
class R1Penalty:
    """weight / 2 * E[|grad D(x)|^2] on real images."""

    weight: float

    def __call__(self, d: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        del fake
        return 0.5 * self.weight * (input_gradient_norms(d, real) ** 2).mean()


@dataclass(frozen=True)
class MatchingAwarePenalty:
    """DF-GAN's MA-GP: weight * mean_i (|dD_i/dx_i|^2 + |dD_i/dt_i|^2)^(power / 2), from the
    logits D gave to real pairs (x, t) whose tensors required gradients (the graph is kept)."""

    weight: float = 2.0
    power: float = 6.0

    def __call__(self, logits: torch.Tensor, images: torch.Tensor, text: torch.Tensor
                 ) -> torch.Tensor:
        grad_x, grad_t = torch.autograd.grad(logits.sum(), (images, text), create_graph=True)
        squared = grad_x.flatten(1).pow(2).sum(1) + grad_t.flatten(1).pow(2).sum(1)  # (B,)
        return self.weight * squared.pow(self.power / 2).mean()


@dataclass(frozen=True)
class WeightClip:
    """Clamp every parameter of D to [-limit, limit] (a D hook)."""

    limit: float

    @torch.no_grad()
    def __call__(self, d: nn.Module) -> None:
        for p in d.parameters():
            p.clamp_(-self.limit, self.limit)


@dataclass
class InstanceNoise:
    """Adds N(0, std_t^2) noise to D's inputs; std_t = std * (1 - progress), progress in [0, 1]
    read from `progress` (bound to the training loop by `bind_progress`)."""

    std: float
    progress: Callable[[], float] = field(default=lambda: 0.0)

    def current_std(self) -> float:
        return self.std * max(0.0, 1.0 - self.progress())

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        std = self.current_std()
        return images + std * torch.randn_like(images) if std > 0 else images


class LoopProgress:
    """Share of the run's planned generator steps done so far, from the loop's own state
    (restored on resume, so a resumed run sees the same schedule)."""

    def __init__(self, loop: LoopView):
        self.loop = loop

    def planned_steps(self) -> int:
        loop, cfg = self.loop, self.loop.train_cfg
        g_every = max(p.interval for p in loop.trainer.schedule if p.network == "generator")
        total = cfg.epochs * (loop.batches_per_epoch // g_every)
        return max(1, min(total, cfg.max_steps) if cfg.max_steps else total)

    def __call__(self) -> float:
        done = self.loop.state.step / self.planned_steps()
        budget, started = self.loop.train_cfg.max_minutes, self.loop.started
        if budget is not None and started is not None:  # --max-minutes: the time spent too
            done = max(done, (time.monotonic() - started) / (60.0 * budget))
        return min(1.0, done)


def bind_progress(loop: LoopView) -> None:
    """Let what follows the training progress read it: annealed instance noise, and the
    learning-rate decay (run by the trainer before every batch)."""
    noise = loop.trainer.objective.instance_noise
    if noise is not None:
        noise.progress = LoopProgress(loop)
    optim = loop.config.optim
    if optim.lr_decay == "linear":
        t = loop.trainer
        t.batch_hooks.append(LinearDecay(((t.opt_g, optim.lr_g), (t.opt_d, optim.lr_d)),
                                         LoopProgress(loop)))


@dataclass(frozen=True)
class Stabilisers:
    """What a run adds to the plain loss: D steps, penalties, D hooks, input noise and
    augmentation, D's spectral norm."""

    d_steps: int
    penalties: tuple[Penalty, ...] = ()
    d_hooks: tuple[DHook, ...] = ()
    instance_noise: InstanceNoise | None = None
    spectral_norm: bool = False
    augment: DiffAugment | None = None  # transforms of every image D sees

    def prepare_discriminator(self, d: nn.Module, loss_name: str) -> nn.Module:
        """Apply spectral norm if asked; refuse a BatchNorm critic under a gradient penalty."""
        if any(isinstance(p, GradientPenalty) for p in self.penalties) and any(
                isinstance(m, nn.modules.batchnorm._BatchNorm) for m in d.modules()):
            raise ConfigError(
                f"loss {loss_name} penalises D's gradient per image, which BatchNorm in D "
                "breaks: use --d-norm layer (or none), or --gp-weight 0")
        return spectral_normalize(d) if self.spectral_norm else d


def plan_stabilisers(loss: GanLoss, cfg: LossConfig, d_steps: int) -> Stabilisers:
    """The loss's own needs, with the run's options on top. d_steps 0 = the loss's own;
    gp_weight/clip None = the loss's own (0 turns them off)."""
    gp = loss.gp_weight if cfg.gp_weight is None else cfg.gp_weight
    clip = loss.clip if cfg.clip is None else cfg.clip
    penalties: list[Penalty] = []
    if gp > 0:
        penalties.append(GradientPenalty(gp))
    if cfg.r1_weight > 0:
        penalties.append(R1Penalty(cfg.r1_weight))
    return Stabilisers(
        d_steps=d_steps or loss.critic_steps,
        penalties=tuple(penalties),
        d_hooks=(WeightClip(clip),) if clip else (),
        instance_noise=InstanceNoise(cfg.instance_noise) if cfg.instance_noise > 0 else None,
        spectral_norm=cfg.spectral_norm,
        augment=DiffAugment.from_policy(cfg.augment),
    )
