"""Objectives: how a batch becomes D's loss and G's loss, given the networks.

The trainer owns the update mechanics (optimizers, freezing, schedule); an objective owns
what is compared with what. The adversarial objective below is systems 1 and 2 of the SPEC
and the class-conditional DCGAN: real images against G(z), or G(z, cond) and D bound to the
batch's condition when the batch carries one (its classes: G's images made for the batch's
class mix, real and generated images scored with those classes), with a loss pair chosen by
name from ganforge.losses, plus the penalties and instance noise that
training/regularizers.py composes for the run.

With `codes` > 0 (dcgan28's InfoGAN option), both losses also have `code_weight` times the
cross-entropy of D's code head on G's images against the codes G read from their noise
(models.dcgan28.code_of): D's head learns to name the code, and G to draw codes apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ganforge.losses import GanLoss
from ganforge.models.dcgan28 import code_of
from ganforge.models.noise import NoiseKind, sample_noise
from ganforge.models.sample_mixing import mixes_samples
from ganforge.training.augment import DiffAugment
from ganforge.training.batch import Batch
from ganforge.training.regularizers import InstanceNoise, Penalty


@dataclass
class DStepResult:
    loss: torch.Tensor
    d_real: torch.Tensor  # mean sigmoid(D(x)): a probability for BCE, a squashed score else
    d_fake: torch.Tensor  # mean D(G(z))


class WithCondition(nn.Module):
    """D(x, cond) with the condition bound: a function of images alone. A call on k stacked
    copies of the batch (real and fake images in one pass) repeats the condition k times."""

    def __init__(self, d: nn.Module, cond: torch.Tensor):
        super().__init__()
        self.d, self.cond = d, cond

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        copies, rest = divmod(len(x), len(self.cond))
        if rest:
            raise ValueError(f"{len(x)} images for {len(self.cond)} bound conditions")
        return self.d(x, self.cond.repeat(copies, *(1,) * (self.cond.dim() - 1)))


@dataclass
class AdversarialObjective:
    loss: GanLoss
    latent_dim: int
    noise: NoiseKind = "normal"
    real_target: float = 1.0
    penalties: tuple[Penalty, ...] = ()  # added to D's loss; each gets (d, real, fake)
    instance_noise: InstanceNoise | None = None  # noise on every input D sees
    augment: DiffAugment | None = None  # differentiable augmentation of every input D sees
    codes: int = 0  # InfoGAN categorical code of G's noise (0 = off)
    code_weight: float = 1.0

    def d_input(self, images: torch.Tensor) -> torch.Tensor:
        """What D sees of `images`: the images, augmented and with instance noise when on."""
        if self.augment is not None:
            images = self.augment(images)
        return self.instance_noise(images) if self.instance_noise is not None else images

    def noise_for(self, batch: Batch) -> torch.Tensor:
        return sample_noise(len(batch), self.latent_dim, self.noise, device=batch.images.device)

    def generate(self, g: nn.Module, batch: Batch, z: torch.Tensor | None = None
                 ) -> torch.Tensor:
        """G's images for one batch, from `z` (fresh noise when None) and the batch's
        condition when it carries one."""
        z = self.noise_for(batch) if z is None else z
        return g(z) if batch.cond is None else g(z, batch.cond)

    def critic(self, d: nn.Module, batch: Batch) -> nn.Module:
        """D as a function of images alone for this batch (its condition bound, when the batch
        carries one), so that losses and penalties see one kind of D."""
        return d if batch.cond is None else WithCondition(d, batch.cond)

    def needs(self) -> frozenset[str]:
        """What this objective's batches must carry beside images and the condition
        (training/batch_needs.py builds the batch source from the data set and this answer):
        nothing here."""
        return frozenset()

    def discriminator_loss(self, g: nn.Module, d: nn.Module, batch: Batch) -> DStepResult:
        z = self.noise_for(batch)
        with torch.no_grad():
            fake = self.generate(g, batch, z)
        real, fake = self.d_input(batch.images), self.d_input(fake)
        critic, code_term = self.critic(d, batch), 0.0
        if self.codes:  # the fake pass also names the codes (an unconditional D: critic = d)
            real_logits, (fake_logits, code_term) = d(real), self.scored_codes(d, fake, z)
        else:
            real_logits, fake_logits = score_both(critic, real, fake)
        loss = self.loss.d_loss(
            real_logits=real_logits, fake_logits=fake_logits, real_target=self.real_target
        ) + code_term
        for penalty in self.penalties:
            loss = loss + penalty(critic, real, fake)
        return DStepResult(loss, _mean_prob(real_logits), _mean_prob(fake_logits))

    def generator_loss(self, g: nn.Module, d: nn.Module, batch: Batch) -> torch.Tensor:
        z = self.noise_for(batch)
        fake = self.d_input(self.generate(g, batch, z))
        if not self.codes:
            return self.loss.g_loss(fake_logits=self.critic(d, batch)(fake))
        fake_logits, code_term = self.scored_codes(d, fake, z)
        return self.loss.g_loss(fake_logits=fake_logits) + code_term

    def scored_codes(self, d: nn.Module, fake: torch.Tensor, z: torch.Tensor
                     ) -> tuple[torch.Tensor, torch.Tensor]:
        """D's logits on G's images `fake` (from noise z), and the weighted cross-entropy of
        its code head against the codes G read from z."""
        logits, code_logits = d(fake, with_codes=True)
        return logits, self.code_weight * F.cross_entropy(code_logits, code_of(z, self.codes))


def score_both(d: nn.Module, real: torch.Tensor, fake: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor]:
    """(D(real), D(fake)). When no layer of D mixes the samples of a batch (no batch
    normalisation, packing or minibatch std), one pass over both halves together gives the
    same scores with half the calls and larger matrix products; otherwise each batch goes
    alone, as batch statistics, packs and groups of real and fake images must stay apart."""
    if mixes_samples(d):
        return d(real), d(fake)
    logits = d(torch.cat([real, fake]))  # (2B, 1)
    return logits[: len(real)], logits[len(real):]


def _mean_prob(logits: torch.Tensor) -> torch.Tensor:
    return torch.sigmoid(logits.detach()).mean()
