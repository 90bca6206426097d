"""In-training evaluation of a text-to-image run: like EvalObserver, but each image is drawn
from a held-out caption (one random caption of each test image, as `ganforge evaluate`
does), and the share of images whose class matches the caption's (class alignment) joins
FD in the record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ganforge.metrics.observer import EvalObserver

if TYPE_CHECKING:
    from ganforge.training.loop import TrainingLoop


class TextEvalObserver(EvalObserver):
    """Score `samples` images of held-out captions against the base data set's test split."""

    def __init__(self, base: str, every: int, samples: int, seed: int = 0,
                 data_dir: str | None = None):
        super().__init__(base, every, samples, seed=seed, data_dir=data_dir)
        self._held: Any = None

    def held_out(self, loop: TrainingLoop) -> Any:
        """The held-out captions (encoded once, then read from the embedding cache)."""
        from ganforge.data.captioned.held_out import evaluation_captions

        if self._held is None:
            self._held = evaluation_captions(loop.config, self.seed)
        return self._held

    def evaluate(self, loop: TrainingLoop) -> dict[str, Any]:
        from ganforge.metrics.alignment import class_alignment
        from ganforge.metrics.evaluate import evaluate_images, sample_images
        from ganforge.metrics.weights import evaluator_for

        held, cfg = self.held_out(loop), loop.config
        n = min(self.samples, len(held.labels))
        text = held.text[:n].to(loop.source.images.device)
        images = sample_images(loop.trainer.generator, cfg.model.latent_dim, cfg.train.noise,
                               n, self.seed, text=text)
        result = evaluate_images(images, self.dataset, seed=self.seed, data_dir=self.data_dir)
        result["metrics"]["class_alignment"] = class_alignment(
            images, held.labels[:n], evaluator_for(self.dataset))
        return result
