"""Batches cut from an in-memory data set: images, and what a conditional model also reads."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from ganforge.training.wrong_captions import WrongCaptions


@dataclass
class Batch:
    images: torch.Tensor  # (B, C, H, W) float in [-1, 1]
    labels: torch.Tensor | None = None  # (B,) class indices
    text: torch.Tensor | None = None  # (B, E) sentence vectors of one caption per image
    wrong_text: torch.Tensor | None = None  # (B, E) a same-class caption false of each image

    def __len__(self) -> int:
        return self.images.shape[0]


def to_float_images(batch: torch.Tensor) -> torch.Tensor:
    """uint8 0..255 -> float in [-1, 1], the range of G's tanh output."""
    return batch.float().div_(127.5).sub_(1.0)


@dataclass
class BatchSource:
    """The whole training set in memory; `batch(indices)` cuts one batch by index.

    `text`, when present, holds K caption vectors per image, (N, K, E); each batch takes one
    of an image's captions at random, drawn from `caption_generator` (a stream of its own,
    so it does not disturb the other random numbers of training). With `wrong` (an objective
    that scores hard mismatched pairs asked for it), each batch also carries a wrong caption
    per image, drawn from the same stream.
    """

    images: torch.Tensor  # (N, C, H, W) uint8
    labels: torch.Tensor | None = None  # (N,) int64
    text: torch.Tensor | None = None  # (N, K, E)
    caption_generator: torch.Generator = field(default_factory=torch.Generator)
    wrong: WrongCaptions | None = None

    def __len__(self) -> int:
        return self.images.shape[0]

    def batch(self, indices: torch.Tensor) -> Batch:
        images = to_float_images(self.images[indices])
        labels = None if self.labels is None else self.labels[indices]
        text = None
        if self.text is not None:
            choice = torch.randint(self.text.shape[1], (len(indices),),
                                   generator=self.caption_generator)
            text = self.text[indices, choice].float()
        wrong_text = None
        if self.wrong is not None and self.text is not None:
            rows, ks = self.wrong.draw(indices, self.caption_generator)
            wrong_text = self.text[rows.to(self.text.device), ks.to(self.text.device)].float()
        return Batch(images, labels, text, wrong_text)
