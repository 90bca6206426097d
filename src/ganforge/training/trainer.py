"""One trainer for every model: an update schedule of discriminator and generator steps.

The schedule is data: each phase runs after every `interval`-th batch. With k = d_steps,
D updates on every batch and G once every k batches (k D-steps per G-step).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ganforge.losses import GanLoss
from ganforge.training.noise import NoiseKind, sample_noise


@dataclass(frozen=True)
class Phase:
    network: str  # "discriminator" or "generator"
    interval: int  # run after every `interval`-th batch


def default_schedule(d_steps: int) -> list[Phase]:
    return [Phase("discriminator", 1), Phase("generator", d_steps)]


def preferred_memory_format(module: nn.Module) -> torch.memory_format:
    """channels_last for convolutional networks (faster on CPU, same math), else the default."""
    has_conv = any(isinstance(m, nn.modules.conv._ConvNd) for m in module.modules())
    return torch.channels_last if has_conv else torch.contiguous_format


class Trainer:
    """Holds built networks, optimizers and a loss; turns batches of real images into updates."""

    def __init__(
        self,
        *,
        generator: nn.Module,
        discriminator: nn.Module,
        opt_g: torch.optim.Optimizer,
        opt_d: torch.optim.Optimizer,
        loss: GanLoss,
        latent_dim: int,
        noise: NoiseKind = "normal",
        real_target: float = 1.0,
        schedule: list[Phase] | None = None,
    ):
        self.generator, self.discriminator = generator, discriminator
        self.opt_g, self.opt_d = opt_g, opt_d
        self.loss = loss
        self.latent_dim, self.noise, self.real_target = latent_dim, noise, real_target
        self.schedule = schedule or default_schedule(1)
        self._steps = {"discriminator": self.d_step, "generator": self.g_step}
        self.memory_format = preferred_memory_format(discriminator)
        generator.to(memory_format=self.memory_format)
        discriminator.to(memory_format=self.memory_format)
        self._last_d: tuple[torch.Tensor, ...] | None = None

    def _noise(self, n: int, device: torch.device) -> torch.Tensor:
        return sample_noise(n, self.latent_dim, self.noise, device=device)

    def d_step(self, real: torch.Tensor) -> None:
        """One discriminator update on real images and a fresh batch of G's samples."""
        with torch.no_grad():
            fake = self.generator(self._noise(real.shape[0], real.device))
        real_logits = self.discriminator(real)
        fake_logits = self.discriminator(fake)
        loss = self.loss.d_loss(
            real_logits=real_logits, fake_logits=fake_logits, real_target=self.real_target
        )
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        with torch.no_grad():
            self._last_d = (loss.detach(), torch.sigmoid(real_logits).mean(),
                            torch.sigmoid(fake_logits).mean())

    def g_step(self, real: torch.Tensor) -> torch.Tensor:
        """One generator update with D frozen; returns G's loss (a tensor, no host sync)."""
        self.discriminator.requires_grad_(False)
        try:
            fake = self.generator(self._noise(real.shape[0], real.device))
            loss = self.loss.g_loss(fake_logits=self.discriminator(fake))
            self.opt_g.zero_grad(set_to_none=True)
            loss.backward()
            self.opt_g.step()
        finally:
            self.discriminator.requires_grad_(True)
        return loss.detach()

    def train_batch(self, batch_index: int, real: torch.Tensor) -> torch.Tensor | None:
        """Run the phases due at this batch. After a G step, return the step's statistics
        as one tensor [d_loss, g_loss, D(x), D(G(z))]; otherwise None."""
        real = real.contiguous(memory_format=self.memory_format)
        g_loss = None
        for phase in self.schedule:
            if (batch_index + 1) % phase.interval == 0:
                result = self._steps[phase.network](real)
                if phase.network == "generator":
                    g_loss = result
        if g_loss is None or self._last_d is None:
            return None
        d_loss, d_real, d_fake = self._last_d
        return torch.stack([d_loss, g_loss, d_real, d_fake])

    def train_mode(self, flag: bool = True) -> None:
        self.generator.train(flag)
        self.discriminator.train(flag)
