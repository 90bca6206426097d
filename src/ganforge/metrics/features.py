"""Images -> evaluator features and class probabilities, in batches, without gradients.

Images may be uint8 (0..255) or float in [-1, 1] (a generator's tanh output), shaped
(N, C, H, W), as a torch tensor or a numpy array. Stacked-MNIST images (N, 3, 28, 28) are
scored channel by channel with the one-channel MNIST evaluator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from ganforge.errors import ConfigError

BATCH_SIZE = 1000
FEATURE_KINDS = ("evaluator", "inception")


@dataclass
class FeatureSet:
    """What the metrics consume: features (n, d) for distances (None when not needed) and
    class probabilities (n, K), or (n, 3, 10) per channel for stacked MNIST."""

    features: np.ndarray | None
    probs: np.ndarray

    def __len__(self) -> int:
        return int(self.probs.shape[0])

    def subset(self, index: np.ndarray) -> FeatureSet:
        """The rows `index` of both arrays."""
        feats = None if self.features is None else self.features[index]
        return FeatureSet(feats, self.probs[index])


def to_model_input(batch: torch.Tensor) -> torch.Tensor:
    """uint8 0..255 or float [-1, 1] (N, C, H, W) -> float32 [-1, 1], channels_last."""
    if batch.dtype == torch.uint8:
        x = batch.float().div_(127.5).sub_(1.0)
    else:
        x = batch.float().clamp(-1.0, 1.0)
    return x.contiguous(memory_format=torch.channels_last)


def as_image_tensor(images: Any) -> torch.Tensor:
    """A torch tensor (N, C, H, W) from a tensor or numpy array (no copy when possible)."""
    tensor = images if isinstance(images, torch.Tensor) else torch.from_numpy(np.asarray(images))
    if tensor.dim() != 4:
        raise ValueError(f"images must be (N, C, H, W), got {tuple(tensor.shape)}")
    return tensor.detach().cpu()


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
        from ganforge.metrics.weights import load_evaluator

        base = EvaluatorFeatures(load_evaluator(evaluator))
        if kind == "inception":
            from ganforge.metrics.inception import InceptionFeatures

            _EXTRACTORS[key] = InceptionFeatures(base)
        else:
            _EXTRACTORS[key] = base
    return _EXTRACTORS[key]
