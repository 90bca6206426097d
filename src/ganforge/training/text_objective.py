"""The text-to-image objective (system 3 of the SPEC): what D and G compare, given captions.
It is the adversarial objective (objectives.py: noise, G(z, caption), augmentation of what D
sees) with terms of its own.

D sees three kinds of (image, caption) pairs per batch, each scored with the loss's real or
fake side on the real/fake logit (binary cross-entropy, as the SPEC says, unless --loss
names another) plus cross-entropy on the class logits:
  real        a real image with its own caption      -> real, the image's class
  mismatched  another real image with this caption   -> fake, that other image's class
              (the batch's images rolled by one against the unchanged captions)
  generated   G(z, caption) with this caption        -> fake, the caption's class
D's loss is the sum of the three. G's loss, with D frozen by the trainer: the named loss's
G term on D(G(z, caption), caption) plus cross-entropy against the caption's class.
Real targets use the run's label smoothing. A data set without classes (num_classes 0: D has
no class head, the batches no labels) has no class terms; the rest is the same.

Options (all off by default; docs/text-to-image.md):
- hard_mismatch h: the first round(h * B) mismatched pairs are instead a real image with a
  wrong caption of its own class (Batch.wrong_cond, drawn by the batch source, see
  wrong_captions.py) -> fake, the image's class;
- ma_gp: DF-GAN's matching-aware gradient penalty on the real pairs, both inputs, added to
  D's loss (regularizers.MatchingAwarePenalty);
- ca_weight: the KL of G's conditioning augmentation, weighted, added to G's loss;
- attribute_weight a: D's attribute head learns the levels real images' captions state
  (weighted cross-entropy, attributes a caption leaves unstated ignored), and G's loss adds
  the same cross-entropy of its images against their captions' levels;
- augment: DiffAugment of every image D sees (real, mismatched, generated; in D's and G's
  steps, and so the penalty's input too);
- recombine_weight r (with the attribute head; synthetic-flowers): each G step also draws
  images for B captions of attribute combinations no species has (Batch.recombined, from
  data/synthetic_flowers/recombined.py), and G's loss adds r times the loss's G term and
  the attribute cross-entropy on them (no class term: they have no class). D never scores
  them, as no real image goes with them.

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
from ganforge.losses import get_loss
from ganforge.training.batch import Batch
from ganforge.training.objectives import AdversarialObjective, DStepResult
from ganforge.training.regularizers import MatchingAwarePenalty


@dataclass
class DTerms:
    """D's three terms and its logits on real and generated pairs (for the statistics)."""

    real: torch.Tensor
    mismatched: torch.Tensor
    generated: torch.Tensor
    real_logits: torch.Tensor
    generated_logits: torch.Tensor
    penalty: torch.Tensor | None = None  # the matching-aware gradient penalty, when on

    @property
    def total(self) -> torch.Tensor:
        total = self.real + self.mismatched + self.generated
        return total if self.penalty is None else total + self.penalty


@dataclass
class TextConditionalObjective(AdversarialObjective):
    """The adversarial objective's noise, G call and view of D's inputs, with the terms of
    caption pairs instead of its one real/fake comparison."""

    class_weight: float = 1.0
    diversity_weight: float = 0.0
    hard_mismatch: float = 0.0  # share of mismatched pairs with a same-class wrong caption
    ma_gp: MatchingAwarePenalty | None = None
    ca_weight: float = 0.0
    attribute_weight: float = 0.0
    recombine_weight: float = 0.0

    def __post_init__(self):
        if self.loss.d_real is None or self.loss.d_fake is None:
            raise ConfigError(f"arch t2i scores real and fake pairs apart; loss {self.loss.name} "
                              "does not say how (see losses.GanLoss)")
        if self.penalties or self.instance_noise is not None:
            raise ConfigError("arch t2i does not support --r1-weight, --gp-weight or "
                              "--instance-noise (its gradient penalty is --ma-gp-weight)")

    @classmethod
    def from_config(cls, config: Any, plan: Any = None) -> TextConditionalObjective:
        """The objective of a run's config (loss, noise, label smoothing, the model's weights
        and options, augmentation). R1, the WGAN gradient penalty and instance noise of the
        stabilisers `plan` act on D(image) alone, so they are refused here rather than
        silently ignored; the penalty of arch t2i is --ma-gp-weight."""
        m = config.model
        return cls(loss=get_loss(config.loss.loss), latent_dim=m.latent_dim,
                   noise=config.train.noise, real_target=config.loss.label_smoothing,
                   class_weight=m.class_weight, diversity_weight=m.diversity_weight,
                   hard_mismatch=m.hard_mismatch, ca_weight=m.ca_weight,
                   attribute_weight=m.attribute_weight, recombine_weight=m.recombine_weight,
                   ma_gp=MatchingAwarePenalty(m.ma_gp_weight, m.ma_gp_power)
                   if m.ma_gp_weight > 0 else None,
                   augment=None if plan is None else plan.augment,
                   penalties=() if plan is None else plan.penalties,
                   instance_noise=None if plan is None else plan.instance_noise)

    def needs(self) -> frozenset[str]:
        """What the batches carry for the options that are on: a wrong caption per image
        (hard_mismatch), the levels captions state and images have (the attribute head),
        captions of new attribute combinations (recombine_weight)."""
        needs = {"wrong_cond"} if self.hard_mismatch > 0 else set()
        if self.attribute_weight > 0:
            needs |= {"levels", "truth"}
        if self.recombine_weight > 0:
            needs.add("recombined")
        return frozenset(needs)

    def _attributes(self, logits: torch.Tensor | None, levels: torch.Tensor | None
                    ) -> torch.Tensor | None:
        """The weighted cross-entropy of the attribute head's logits (B, A, L) against
        `levels` (B, A) (attributes at -1, which a caption leaves unstated, count not)."""
        if self.attribute_weight == 0 or logits is None or levels is None:
            return None
        targets = levels.reshape(-1)  # (B * A,)
        ce = F.cross_entropy(logits.reshape(len(targets), -1), targets, ignore_index=-1,
                             reduction="sum")
        return self.attribute_weight * ce / (targets >= 0).sum().clamp(min=1)

    @staticmethod
    def conditions(batch: Batch) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The batch's caption vectors (B, E) and classes (B,) (None for a data set without
        classes); a one-line error without captions."""
        if batch.cond is None:
            raise ConfigError("arch t2i needs a data set with captions (fashion-mnist-captions,"
                              " mnist-captions, flowers102, synthetic-flowers)")
        return batch.cond, batch.labels

    def _classes(self, class_logits: torch.Tensor | None, classes: torch.Tensor | None
                 ) -> torch.Tensor | float:
        """The weighted class cross-entropy; 0 without classes (no head, or no labels)."""
        if class_logits is None or classes is None:
            return 0.0
        return self.class_weight * F.cross_entropy(class_logits, classes)

    def _term(self, logits: tuple[torch.Tensor | None, ...], target: float | None,
              classes: torch.Tensor | None) -> torch.Tensor:
        """The loss's real side with `target`, or its fake side (target None), plus the
        weighted class cross-entropy."""
        real_fake = logits[0]
        side = self.loss.d_fake(real_fake) if target is None \
            else self.loss.d_real(real_fake, target)
        return side + self._classes(logits[1], classes)

    def mismatched(self, batch: Batch
                   ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """The mismatched pairs (images, captions, class targets or None): the rolled batch,
        its first round(hard_mismatch * B) pairs replaced by the images with their wrong
        captions."""
        text, labels = self.conditions(batch)
        images = torch.roll(batch.images, 1, dims=0)
        targets = None if labels is None else torch.roll(labels, 1, dims=0)
        hard = round(self.hard_mismatch * len(batch))
        if hard == 0:
            return images, text, targets
        if labels is None:
            raise ConfigError("hard_mismatch draws wrong captions of an image's own class: "
                              "it needs a data set with classes")
        if batch.wrong_cond is None:
            raise ConfigError("hard_mismatch needs batches with wrong captions (a BatchSource "
                              "given the objective's wrong_captions)")
        return (torch.cat([batch.images[:hard], images[hard:]]),
                torch.cat([batch.wrong_cond[:hard], text[hard:]]),
                torch.cat([labels[:hard], targets[hard:]]))

    def d_terms(self, g: nn.Module, d: nn.Module, batch: Batch) -> DTerms:
        """D's three terms on one batch (G runs without gradients), and the penalty."""
        text, labels = self.conditions(batch)
        with torch.no_grad():
            fake = self.generate(g, batch)
        real_images, real_text = self.d_input(batch.images), text
        if self.ma_gp is not None:  # the penalty differentiates D's real logits by both inputs
            real_images = real_images.detach().requires_grad_(True)
            real_text = text.detach().requires_grad_(True)
        real = d(real_images, real_text)
        wrong_images, wrong_text, wrong_labels = self.mismatched(batch)
        mismatched = d(self.d_input(wrong_images), wrong_text)
        generated = d(self.d_input(fake), text)
        known = batch.levels if batch.truth is None else batch.truth
        attributes = self._attributes(real[2], known)  # the head learns from real images
        real_term = self._term(real, self.real_target, labels)
        return DTerms(
            real=real_term if attributes is None else real_term + attributes,
            mismatched=self._term(mismatched, None, wrong_labels),
            generated=self._term(generated, None, labels),
            real_logits=real[0].detach(), generated_logits=generated[0].detach(),
            penalty=None if self.ma_gp is None else self.ma_gp(real[0], real_images, real_text))

    def discriminator_loss(self, g: nn.Module, d: nn.Module, batch: Batch) -> DStepResult:
        terms = self.d_terms(g, d, batch)
        return DStepResult(terms.total, torch.sigmoid(terms.real_logits).mean(),
                           torch.sigmoid(terms.generated_logits).mean())

    def generator_loss(self, g: nn.Module, d: nn.Module, batch: Batch) -> torch.Tensor:
        text, labels = self.conditions(batch)
        z = self.noise_for(batch)
        fake, kl = g(z, text, with_kl=True) if self.ca_weight > 0 \
            else (self.generate(g, batch, z), None)
        real_fake, class_logits, attribute_logits = d(self.d_input(fake), text)
        loss = self.loss.g_loss(fake_logits=real_fake) + self._classes(class_logits, labels)
        attributes = self._attributes(attribute_logits, batch.levels)  # what captions state
        if attributes is not None:
            loss = loss + attributes
        if kl is not None:
            loss = loss + self.ca_weight * kl
        if self.diversity_weight > 0:
            z2 = self.noise_for(batch)
            again = self.generate(g, batch, z2)
            loss = loss + self.diversity_weight * mode_seeking(fake, again, z, z2)
        if self.recombine_weight > 0 and batch.recombined is not None:
            loss = loss + self.recombine_weight * self.recombined_term(g, d, batch)
        return loss

    def recombined_term(self, g: nn.Module, d: nn.Module, batch: Batch) -> torch.Tensor:
        """The loss's G term and the attribute cross-entropy of G's images for the batch's
        captions of new combinations."""
        text = batch.recombined
        fake = g(self.noise_for(batch), text)
        real_fake, _, attribute_logits = d(self.d_input(fake), text)
        attributes = self._attributes(attribute_logits, batch.recombined_levels)
        return self.loss.g_loss(fake_logits=real_fake) + attributes


def mode_seeking(a: torch.Tensor, b: torch.Tensor, za: torch.Tensor, zb: torch.Tensor
                 ) -> torch.Tensor:
    """MSGAN's term: 1 / (mean|a - b| / mean|za - zb| + 1e-5) for images a, b of the same
    captions drawn from noise za, zb."""
    ratio = (a - b).abs().mean() / (za - zb).abs().mean()
    return 1.0 / (ratio + 1e-5)
