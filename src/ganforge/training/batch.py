"""Batches cut from an in-memory data set: images, and the condition a conditional model
reads (model_configs.condition_of: nothing, the images' classes, or a caption vector each)."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from ganforge.errors import ConfigError
from ganforge.model_configs import Condition
from ganforge.runtime.device import to_device
from ganforge.training.wrong_captions import WrongCaptions


@dataclass
class Batch:
    images: torch.Tensor  # (B, C, H, W) float in [-1, 1]
    cond: torch.Tensor | None = None  # what G and D read: None, classes (B,) or vectors (B, E)
    labels: torch.Tensor | None = None  # (B,) class indices (the text objective's class head)
    wrong_cond: torch.Tensor | None = None  # (B, E) a same-class caption false of each image
    levels: torch.Tensor | None = None  # (B, A) levels the captions in `cond` state, -1 unstated
    truth: torch.Tensor | None = None  # (B, A) each image's own levels, where the data knows
    recombined: torch.Tensor | None = None  # (B, E) captions of combinations no class has
    recombined_levels: torch.Tensor | None = None  # (B, A) the levels they state, -1 unstated

    def __len__(self) -> int:
        return self.images.shape[0]


def to_float_images(batch: torch.Tensor) -> torch.Tensor:
    """uint8 0..255 -> float in [-1, 1], the range of G's tanh output."""
    return batch.float().div_(127.5).sub_(1.0)


@dataclass
class BatchSource:
    """The whole training set in memory; `batch(indices)` cuts one batch by index.

    `condition` says what each batch carries as `cond`: nothing ("none"), the images'
    classes ("class"), or one of each image's K caption vectors ("text"; `text` holds them,
    (N, K, E); `labels` may be None there, for captioned images without classes), drawn at
    random from `caption_generator` (a stream of its own, so it does not disturb the other
    random numbers of training). With `wrong` (an objective that scores
    hard mismatched pairs asked for it), each batch also carries a wrong caption per image,
    drawn from the same stream. With `levels` (N, K, A) (an objective with an attribute
    head asked for them), each batch carries the attribute levels its captions state, and
    with `truth` (N, A) each image's own levels (synthetic-flowers knows every one). With
    `recombined` (vectors (M, E), levels (M, A); an objective with a recombination term
    asked for them), each batch also carries B of those captions drawn from the stream.

    The stream's draws are made on the CPU and reach the device through pinned memory
    without waiting (runtime.device.to_device); the wrong captions' tables are indexed on
    the CPU too, by `host_indices` when the caller has the batch's indices there (the loop
    keeps each epoch's order on both sides), so a step never waits on a copy to the host.
    """

    images: torch.Tensor  # (N, C, H, W) uint8
    labels: torch.Tensor | None = None  # (N,) int64
    text: torch.Tensor | None = None  # (N, K, E)
    caption_generator: torch.Generator = field(default_factory=torch.Generator)
    wrong: WrongCaptions | None = None
    condition: Condition = "none"
    levels: torch.Tensor | None = None  # (N, K, A) int64, -1 where a caption is silent
    truth: torch.Tensor | None = None  # (N, A) int64
    recombined: tuple[torch.Tensor, torch.Tensor] | None = None  # (M, E), (M, A) int64

    def __post_init__(self):
        if self.condition == "class" and self.labels is None:
            raise ConfigError("a class-conditional model needs a data set with labels")
        if self.condition == "text" and self.text is None:
            raise ConfigError("a text-conditioned model needs a data set with captions "
                              "(fashion-mnist-captions, mnist-captions, flowers102)")
        if self.wrong is not None and self.condition != "text":
            raise ConfigError("wrong captions need a text-conditioned batch source")

    def __len__(self) -> int:
        return self.images.shape[0]

    def batch(self, indices: torch.Tensor, host_indices: torch.Tensor | None = None) -> Batch:
        """The batch of the images at `indices` (on the data's device); `host_indices`, the
        same indices on the CPU, spares the wrong captions a copy back (and its wait)."""
        images = to_float_images(self.images[indices])
        labels = None if self.labels is None else self.labels[indices]
        if self.condition == "none":
            return Batch(images, None, labels)
        if self.condition == "class":
            return Batch(images, labels, labels)
        choice = to_device(torch.randint(self.text.shape[1], (len(indices),),
                                         generator=self.caption_generator), indices.device)
        text = self.text[indices, choice].float()
        wrong = None
        if self.wrong is not None:
            rows, ks = self.wrong.draw(indices if host_indices is None else host_indices,
                                       self.caption_generator)
            wrong = self.text[to_device(rows, self.text.device),
                              to_device(ks, self.text.device)].float()
        levels = None if self.levels is None else self.levels[indices, choice]
        truth = None if self.truth is None else self.truth[indices]
        batch = Batch(images, text, labels, wrong, levels, truth)
        if self.recombined is not None:
            vectors, stated = self.recombined
            rows = to_device(torch.randint(len(vectors), (len(indices),),
                                           generator=self.caption_generator), vectors.device)
            batch.recombined, batch.recombined_levels = vectors[rows].float(), stated[rows]
        return batch
