"""How often an evaluator's heads are right: on a split's images (uint8) against its labels
and attribute levels."""

from __future__ import annotations

import torch

from ganforge.metrics.evaluator import Evaluator


def to_unit_range(images: torch.Tensor) -> torch.Tensor:
    """uint8 (N, C, H, W) -> float32 in [-1, 1], channels_last."""
    x = images.float().div_(127.5).sub_(1.0)
    return x.contiguous(memory_format=torch.channels_last)


@torch.no_grad()
def accuracy(model: Evaluator, images: torch.Tensor, labels: torch.Tensor,
             batch_size: int = 1000) -> float:
    """Share of `images` (uint8) whose predicted class equals `labels`."""
    return head_accuracies(model, images, labels, None, batch_size)["class"]


@torch.no_grad()
def head_accuracies(model: Evaluator, images: torch.Tensor, labels: torch.Tensor,
                    truth: torch.Tensor | None, batch_size: int = 1000) -> dict[str, float]:
    """Share of `images` (uint8) each head gets right: "class" against `labels`, and each
    attribute head against its column of `truth` (N, A)."""
    model.eval()
    names = list(model.heads)
    correct = dict.fromkeys(["class", *names], 0)
    for i in range(0, len(images), batch_size):
        h = model.features(to_unit_range(images[i : i + batch_size]))
        correct["class"] += int((model.head(h).argmax(1) == labels[i : i + batch_size]).sum())
        for j, (name, logits) in enumerate(model.attribute_logits(h).items()):
            assert truth is not None
            correct[name] += int((logits.argmax(1) == truth[i : i + batch_size, j]).sum())
    return {k: v / max(1, len(images)) for k, v in correct.items()}
