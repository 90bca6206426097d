"""The text-to-image objective (system 3 of the SPEC): what D and G compare, given captions.

D sees three kinds of (image, caption) pairs per batch, each scored with binary cross-entropy
on the real/fake logit plus cross-entropy on the class logits:
  real        a real image with its own caption      -> real, the image's class
  mismatched  another real image with this caption   -> fake, that other image's class
              (the batch's images rolled by one against the unchanged captions)
  generated   G(z, caption) with this caption        -> fake, the caption's class
D's loss is the sum of the three. G's loss, with D frozen by the trainer: the named loss's
G term on D(G(z, caption), caption) plus cross-entropy against the caption's class.
Real targets use the run's label smoothing.

With diversity_weight > 0, G's loss also has the mode-seeking term of MSGAN (Mao et al.
2019): two noise vectors per caption, and weight / (mean|G(z1,t) - G(z2,t)| /
mean|z1 - z2| + 1e-5), which is large when G ignores its noise (the images of a caption
all alike).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ganforge.errors import ConfigError
from ganforge.losses import GanLoss, bce_d_loss, bce_with_target, get_loss
from ganforge.training.batch import Batch
from ganforge.training.noise import NoiseKind, sample_noise
from ganforge.training.objectives import DStepResult


@dataclass
class DTerms:
    """D's three terms and its logits on real and generated pairs (for the statistics)."""

    real: torch.Tensor
    mismatched: torch.Tensor
    generated: torch.Tensor
    real_logits: torch.Tensor
    generated_logits: torch.Tensor

    @property
    def total(self) -> torch.Tensor:
        return self.real + self.mismatched + self.generated


@dataclass
class TextConditionalObjective:
    loss: GanLoss
    latent_dim: int
    noise: NoiseKind = "normal"
    real_target: float = 1.0
    class_weight: float = 1.0
    diversity_weight: float = 0.0

    def __post_init__(self):
        if self.loss.d_loss is not bce_d_loss:
            raise ConfigError(f"arch t2i trains with binary cross-entropy, as the SPEC says: "
                              f"--loss non-saturating or minimax, not {self.loss.name}")

    @classmethod
    def from_config(cls, config: Any, plan: Any = None) -> TextConditionalObjective:
        """The objective of a run's config (loss, noise, label smoothing, class weight).
        Penalties and instance noise of the stabilisers `plan` act on D(image) alone, so
        they are refused here rather than silently ignored."""
        if plan is not None and (plan.penalties or plan.instance_noise is not None
                                 or plan.augment is not None):
            raise ConfigError("arch t2i does not support gradient penalties (--r1-weight, "
                              "--gp-weight), --instance-noise or --augment yet")
        return cls(loss=get_loss(config.loss.loss), latent_dim=config.model.latent_dim,
                   noise=config.train.noise, real_target=config.loss.label_smoothing,
                   class_weight=config.model.class_weight,
                   diversity_weight=config.model.diversity_weight)

    def noise_for(self, batch: Batch) -> torch.Tensor:
        return sample_noise(len(batch), self.latent_dim, self.noise, device=batch.images.device)

    @staticmethod
    def conditions(batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        """The batch's caption vectors (B, E) and classes (B,); a one-line error without."""
        if batch.text is None or batch.labels is None:
            raise ConfigError("arch t2i needs a data set with captions and classes "
                              "(fashion-mnist-captions, mnist-captions, flowers102)")
        return batch.text, batch.labels

    def _term(self, logits: tuple[torch.Tensor, torch.Tensor], target: float,
              classes: torch.Tensor) -> torch.Tensor:
        real_fake, class_logits = logits
        return bce_with_target(real_fake, target) + \
            self.class_weight * F.cross_entropy(class_logits, classes)

    def d_terms(self, g: nn.Module, d: nn.Module, batch: Batch) -> DTerms:
        """D's three terms on one batch (G runs without gradients)."""
        text, labels = self.conditions(batch)
        with torch.no_grad():
            fake = g(self.noise_for(batch), text)
        real = d(batch.images, text)
        mismatched = d(torch.roll(batch.images, 1, dims=0), text)
        generated = d(fake, text)
        return DTerms(
            real=self._term(real, self.real_target, labels),
            mismatched=self._term(mismatched, 0.0, torch.roll(labels, 1, dims=0)),
            generated=self._term(generated, 0.0, labels),
            real_logits=real[0].detach(), generated_logits=generated[0].detach())

    def discriminator_loss(self, g: nn.Module, d: nn.Module, batch: Batch) -> DStepResult:
        terms = self.d_terms(g, d, batch)
        return DStepResult(terms.total, torch.sigmoid(terms.real_logits).mean(),
                           torch.sigmoid(terms.generated_logits).mean())

    def generator_loss(self, g: nn.Module, d: nn.Module, batch: Batch) -> torch.Tensor:
        text, labels = self.conditions(batch)
        z = self.noise_for(batch)
        fake = g(z, text)
        real_fake, class_logits = d(fake, text)
        loss = self.loss.g_loss(fake_logits=real_fake) + \
            self.class_weight * F.cross_entropy(class_logits, labels)
        if self.diversity_weight > 0:
            z2 = self.noise_for(batch)
            loss = loss + self.diversity_weight * mode_seeking(fake, g(z2, text), z, z2)
        return loss


def mode_seeking(a: torch.Tensor, b: torch.Tensor, za: torch.Tensor, zb: torch.Tensor
                 ) -> torch.Tensor:
    """MSGAN's term: 1 / (mean|a - b| / mean|za - zb| + 1e-5) for images a, b of the same
    captions drawn from noise za, zb."""
    ratio = (a - b).abs().mean() / (za - zb).abs().mean()
    return 1.0 / (ratio + 1e-5)
