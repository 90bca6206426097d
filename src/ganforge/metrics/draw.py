"""How evaluation draws a run's images, chosen by what the run is conditioned on
(`model_configs.condition_of`): from noise alone (unconditional runs, and class-conditional
ones, whose G picks each image's class from its noise), or one image per held-out caption
(text-to-image runs: one random caption of every test image, drawn with the seed), whose
alignment figures join the metrics. `ganforge evaluate` (metrics.evaluate.evaluate_run) and
the in-training observer (metrics.observer) both draw through `drawing_for`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch

from ganforge.data.captioned.held_out import HeldOut, evaluation_captions
from ganforge.data.prepare_options import run_options
from ganforge.errors import ConfigError
from ganforge.metrics.alignment import (
    alignment_figures,
    base_dataset,
    ceiling_figures,
    class_alignment,
)
from ganforge.metrics.registry import (
    check_dataset,
    default_samples,
    fitted_evaluator,
    min_samples,
)
from ganforge.metrics.retrieval import retrieval_figures
from ganforge.metrics.weights import evaluator_for
from ganforge.model_configs import Condition, condition_of
from ganforge.sampling.draw import draw_images, seeded_noise

DEFAULT_CAPTIONS = 1000  # held-out captions the alignment figures of `ganforge evaluate` use


def sample_images(generator: torch.nn.Module, latent_dim: int, noise: str, n: int,
                  seed: int = 0, batch_size: int = 1000, text: torch.Tensor | None = None
                  ) -> torch.Tensor:
    """n images from `generator` with the noise of `seed` (the global RNG is not touched),
    drawn as every command draws (sampling.draw.draw_images); a text-to-image generator gets
    `text` (n, E), the sentence vector of each image."""
    return draw_images(generator, seeded_noise(n, latent_dim, noise, seed), text, batch_size)


class Drawing(Protocol):
    """A way of drawing a run's images for evaluation; `dataset` is the data set whose
    metrics score them."""

    dataset: str

    def count(self, n: int | None, config: Any, seed: int) -> int:
        """The sample count of `ganforge evaluate --n n` (None: the default), or one line."""

    def draw(self, generator: torch.nn.Module, config: Any, n: int, seed: int
             ) -> torch.Tensor:
        """Up to n images (n, C, H, W) in [-1, 1] of `generator`, seeded with `seed`."""

    def quick_figures(self, images: torch.Tensor, config: Any, seed: int) -> dict[str, Any]:
        """Figures the in-training evaluation records beside the metrics."""

    def about(self, config: Any) -> dict[str, Any]:
        """What the images are drawn from, leading `ganforge evaluate`'s result."""

    def figures(self, images: torch.Tensor, config: Any, seed: int, captions: int
                ) -> dict[str, Any]:
        """Figures `ganforge evaluate` adds after the metrics."""


@dataclass
class FromNoise:
    """n images of seeded noise, for any n."""

    dataset: str

    @classmethod
    def of(cls, config: Any) -> FromNoise:
        return cls(check_dataset(config.data.dataset, run_options(config))[0])

    def count(self, n: int | None, config: Any, seed: int) -> int:
        n = default_samples(self.dataset) if n is None else n
        if n < min_samples(self.dataset):
            raise ConfigError(f"--n must be at least {min_samples(self.dataset)} (what every "
                              f"metric of {self.dataset} needs), got {n}")
        return n

    def draw(self, generator: torch.nn.Module, config: Any, n: int, seed: int
             ) -> torch.Tensor:
        return sample_images(generator, config.model.latent_dim, config.train.noise, n, seed)

    def quick_figures(self, images: torch.Tensor, config: Any, seed: int) -> dict[str, Any]:
        return {}

    def about(self, config: Any) -> dict[str, Any]:
        return {}

    def figures(self, images: torch.Tensor, config: Any, seed: int, captions: int
                ) -> dict[str, Any]:
        return {}


@dataclass
class FromCaptions:
    """One image per held-out caption, in the order the seed draws them (at most one per
    test image), scored as the images of the captioned set's base data set. A data set
    without a shipped classifier (a folder) is scored by the evaluator fitted for it
    (`ganforge evaluator fit`): no class or attribute alignment then (`classifier` False),
    R-precision and caption similarity where that evaluator is an image-text encoder."""

    dataset: str
    classifier: bool = True
    _held: dict[int, HeldOut] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, config: Any) -> FromCaptions:
        try:
            return cls(base_dataset(config.data.dataset, run_options(config)))
        except ConfigError:
            fitted = fitted_evaluator(config.data.dataset)
            if fitted is None:
                raise
            return cls(fitted[0], classifier=False)

    def held(self, config: Any, seed: int) -> HeldOut:
        """The held-out captions of `seed` (encoded once, then read from the embedding
        cache; kept for the next evaluation)."""
        if seed not in self._held:
            self._held = {seed: evaluation_captions(config, seed)}
        return self._held[seed]

    def count(self, n: int | None, config: Any, seed: int) -> int:
        most = len(self.held(config, seed).labels)
        n = most if n is None else n
        if not min_samples(self.dataset) <= n <= most:
            raise ConfigError(f"--n must be in {min_samples(self.dataset)}..{most} (one image "
                              f"per held-out caption), got {n}")
        return n

    def draw(self, generator: torch.nn.Module, config: Any, n: int, seed: int
             ) -> torch.Tensor:
        text = self.held(config, seed).text[:n]
        return sample_images(generator, config.model.latent_dim, config.train.noise,
                             len(text), seed, text=text)

    def quick_figures(self, images: torch.Tensor, config: Any, seed: int) -> dict[str, Any]:
        if not self.classifier:
            return {}
        labels = self.held(config, seed).labels[: len(images)]
        return {"class_alignment": class_alignment(images, labels,
                                                   evaluator_for(self.dataset))}

    def about(self, config: Any) -> dict[str, Any]:
        return {"conditioned_on": f"held-out captions of {config.data.dataset} (test split)"}

    def figures(self, images: torch.Tensor, config: Any, seed: int, captions: int
                ) -> dict[str, Any]:
        held, dataset = self.held(config, seed), config.data.dataset
        captions = min(captions, len(images))
        judged = {
            **alignment_figures(images[:captions], held, dataset),
            **ceiling_figures(held, captions),
            "real": alignment_figures(held.images[:captions], held, dataset),
        } if self.classifier else {}
        return {"alignment": {
            "captions": captions, "num_classes": len(held.classes), **judged,
            "examples": held.captions[:5],
            # R-precision and caption similarity on the same captions, where an image-text
            # encoder is fitted for the data set (metrics.retrieval)
            **retrieval_figures(images[:captions], held, dataset, seed,
                                config.model.text_encoder)}}


# What each condition's runs are evaluated on (class-conditional G picks classes from z).
DRAWINGS: dict[Condition, Callable[[Any], Drawing]] = {
    "none": FromNoise.of, "class": FromNoise.of, "text": FromCaptions.of,
}


def drawing_for(config: Any) -> Drawing:
    """How a run of `config` is drawn for evaluation; a one-line ConfigError when ganforge
    has no evaluator for its data set."""
    return DRAWINGS[condition_of(config.model)](config)
