"""The evaluator network: a small CNN classifier whose penultimate layer is ganforge's
feature space for sample-quality metrics (the 28x28 analogue of Inception's pool features).

One network per data set (MNIST, Fashion-MNIST), trained by `ganforge evaluator train NAME`;
the weights ship in `ganforge/metrics/weights/<name>.safetensors`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class EvaluatorConfig:
    """Sizes of the evaluator CNN (the defaults are those of the shipped weights)."""

    channels: int = 1
    num_classes: int = 10
    width: int = 32  # channels of the first conv block; doubled in each later block
    feature_dim: int = 128  # size of the penultimate layer = the feature space
    dropout: float = 0.3

    def to_dict(self) -> dict[str, int | float]:
        """Plain dict (for the weights' JSON)."""
        return asdict(self)


class Evaluator(nn.Module):
    """image (B, C, 28, 28) in [-1, 1] -> class logits (B, num_classes); `features` gives the
    penultimate activations (B, feature_dim)."""

    def __init__(self, cfg: EvaluatorConfig | None = None):
        super().__init__()
        cfg = cfg or EvaluatorConfig()
        self.config = cfg
        w = cfg.width
        self.body = nn.Sequential(
            _block(cfg.channels, w, kernel=4, stride=2),  # (B, w, 14, 14)
            _block(w, 2 * w, kernel=3, stride=2),  # (B, 2w, 7, 7)
            _block(2 * w, 2 * w, kernel=3, stride=1),  # (B, 2w, 7, 7)
            _block(2 * w, 4 * w, kernel=3, stride=2),  # (B, 4w, 4, 4)
            nn.Flatten(),  # (B, 64w)
            nn.Linear(4 * w * 16, cfg.feature_dim),
            nn.ReLU(inplace=True),  # (B, feature_dim): the feature space
        )
        self.head = nn.Sequential(
            nn.Dropout(cfg.dropout),
            nn.Linear(cfg.feature_dim, cfg.num_classes),  # (B, num_classes)
        )

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate activations (B, feature_dim)."""
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


def _block(c_in: int, c_out: int, kernel: int, stride: int) -> nn.Sequential:
    """Convolution (padding 1: a stride of 2 halves the size, rounding up), BatchNorm, ReLU."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )
