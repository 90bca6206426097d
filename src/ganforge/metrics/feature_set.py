"""What the metrics consume: features and class probabilities of a set of images, and the
conversion of images (uint8 0..255 or float [-1, 1], (N, C, H, W), torch or numpy) that
every feature extractor reads them through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch


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
