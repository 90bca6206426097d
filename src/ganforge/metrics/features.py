"""Images -> evaluator features and class probabilities, in batches, without gradients
(what they become: metrics.feature_set), and the extractor of each evaluator and feature
kind (`--features evaluator`, or `inception`: metrics.inception).

Images may be uint8 (0..255) or float in [-1, 1] (a generator's tanh output), shaped
(N, C, H, W), as a torch tensor or a numpy array. Stacked-MNIST images (N, 3, 28, 28) are
scored channel by channel with the one-channel MNIST evaluator.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ganforge.errors import ConfigError
from ganforge.metrics.feature_set import FeatureSet, as_image_tensor, to_model_input
from ganforge.metrics.inception import InceptionFeatures
from ganforge.metrics.weights import load_evaluator

BATCH_SIZE = 1000
FEATURE_KINDS = ("evaluator", "inception")


class EvaluatorFeatures:
    """Features and class probabilities from an evaluator CNN."""

    def __init__(self, model: nn.Module, batch_size: int = BATCH_SIZE):
        self.model, self.batch_size = model, batch_size

    @torch.no_grad()
    def __call__(self, images: Any, with_features: bool = True) -> FeatureSet:
        x = as_image_tensor(images)
        feats, probs = [], []
        for i in range(0, x.shape[0], self.batch_size):
            h = self.model.features(to_model_input(x[i : i + self.batch_size]))
            probs.append(torch.softmax(self.model.head(h), dim=1))
            if with_features:
                feats.append(h)
        features = torch.cat(feats).numpy() if with_features else None
        return FeatureSet(features, torch.cat(probs).numpy())

    @torch.no_grad()
    def attribute_levels(self, images: Any) -> dict[str, np.ndarray]:
        """Each attribute head's predicted level (n,) of `images` (no heads: {})."""
        x = as_image_tensor(images)
        out: dict[str, list[torch.Tensor]] = {name: [] for name in self.model.heads}
        for i in range(0, x.shape[0], self.batch_size):
            h = self.model.features(to_model_input(x[i : i + self.batch_size]))
            for name, logits in self.model.attribute_logits(h).items():
                out[name].append(logits.argmax(1))
        return {name: torch.cat(v).numpy() for name, v in out.items()}

    def channel_probs(self, images: Any) -> FeatureSet:
        """Stacked images (N, C, H, W) -> per-channel probabilities (N, C, K), no features."""
        x = as_image_tensor(images)
        n, c = x.shape[:2]
        flat = self(x.reshape(n * c, 1, *x.shape[2:]), with_features=False)
        return FeatureSet(None, flat.probs.reshape(n, c, -1))


_EXTRACTORS: dict[tuple[str, str], Callable[..., FeatureSet]] = {}


def get_extractor(evaluator: str, kind: str = "evaluator") -> Callable[..., FeatureSet]:
    """The feature extractor for evaluator `evaluator` (loaded once per process)."""
    if kind not in FEATURE_KINDS:
        raise ConfigError(f"unknown features {kind!r} (known: {', '.join(FEATURE_KINDS)})")
    key = (evaluator, kind)
    if key not in _EXTRACTORS:
        if evaluator.startswith("fitted:"):  # one `ganforge evaluator fit` made (metrics.fitted)
            from ganforge.metrics.fitted import load_fitted

            model: nn.Module = load_fitted(Path(evaluator[len("fitted:"):]))[0]
        else:
            model = load_evaluator(evaluator)
        base = EvaluatorFeatures(model)
        _EXTRACTORS[key] = InceptionFeatures(base) if kind == "inception" else base
    return _EXTRACTORS[key]
