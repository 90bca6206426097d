"""The evaluator network: a small CNN classifier whose penultimate layer is ganforge's
feature space for sample-quality metrics (the 28x28 analogue of Inception's pool features).

One network per data set (MNIST, Fashion-MNIST, synthetic-flowers; flowers102 where a user
has its images), trained by `ganforge evaluator train NAME`; the weights ship in
`ganforge/metrics/weights/<name>.safetensors`. Besides the class head, a network may have one
head per image attribute (synthetic-flowers: petal colour, centre colour, petal count, petal
shape, size), all reading the same features.
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
    image_size: int = 28  # 28 or 64
    heads: tuple[tuple[str, int], ...] = ()  # (attribute, number of levels) of each extra head

    def __post_init__(self) -> None:
        if self.image_size not in (28, 64):
            raise ValueError(f"evaluator images are 28x28 or 64x64, not {self.image_size}")
        object.__setattr__(self, "heads", tuple((str(n), int(k)) for n, k in self.heads))

    def to_dict(self) -> dict[str, object]:
        """Plain dict (for the weights' JSON)."""
        return asdict(self)


class Evaluator(nn.Module):
    """image (B, C, S, S) in [-1, 1] -> class logits (B, num_classes); `features` gives the
    penultimate activations (B, feature_dim), `attribute_logits` each extra head's logits."""

    def __init__(self, cfg: EvaluatorConfig | None = None):
        super().__init__()
        cfg = cfg or EvaluatorConfig()
        self.config = cfg
        w = cfg.width
        # 64x64: one more halving on each side of the 28x28 network's blocks.
        top = [_block(4 * w, 4 * w, kernel=3, stride=2)] if cfg.image_size == 64 else []
        self.body = nn.Sequential(
            _block(cfg.channels, w, kernel=4, stride=2),  # (B, w, 14, 14) | (B, w, 32, 32)
            _block(w, 2 * w, kernel=3, stride=2),  # (B, 2w, 7, 7) | (B, 2w, 16, 16)
            _block(2 * w, 2 * w, kernel=3, stride=1),
            _block(2 * w, 4 * w, kernel=3, stride=2),  # (B, 4w, 4, 4) | (B, 4w, 8, 8)
            *top,  # 64x64: (B, 4w, 4, 4)
            nn.Flatten(),  # (B, 64w)
            nn.Linear(4 * w * 16, cfg.feature_dim),
            nn.ReLU(inplace=True),  # (B, feature_dim): the feature space
        )
        self.head = _head(cfg, cfg.num_classes)  # (B, num_classes)
        self.heads = nn.ModuleDict({name: _head(cfg, k) for name, k in cfg.heads})

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate activations (B, feature_dim)."""
        return self.body(x)

    def attribute_logits(self, h: torch.Tensor) -> dict[str, torch.Tensor]:
        """Each extra head's logits (B, levels), from features `h`."""
        return {name: head(h) for name, head in self.heads.items()}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


def _head(cfg: EvaluatorConfig, outputs: int) -> nn.Sequential:
    return nn.Sequential(nn.Dropout(cfg.dropout), nn.Linear(cfg.feature_dim, outputs))


def _block(c_in: int, c_out: int, kernel: int, stride: int) -> nn.Sequential:
    """Convolution (padding 1: a stride of 2 halves the size, rounding up), BatchNorm, ReLU."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )
