"""Held-out captions: captions of a captioned data set's test split, picked with a seed, with
their sentence vectors, classes, stated attribute levels and real images.

One picker (`held_out`) serves two uses, each a thin call with its own choice of (image,
caption) pairs:
- `fixed_captions`: the training grid's captions, one per cell, classes taken in turn, so
  every epoch's grid draws the same captions with the same noise (the training loop writes
  each cell's image where `FixedCaptions.entries` says, samples/captions_NNN.png, and the
  entries as captions.json; the report shows them);
- `evaluation_captions`: one random caption of every test image, in a seeded order, the
  images `ganforge evaluate` and the in-training evaluation draw for a text-to-image run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ganforge.errors import ConfigError

# (labels (N,), captions per image, number of classes, seed) -> (images (n,), captions (n,))
Choice = Callable[[np.ndarray, int, int, int], tuple[np.ndarray, np.ndarray]]


@dataclass
class HeldOut:
    """Picked captions and what each belongs to."""

    captions: list[str]
    text: torch.Tensor  # (n, E) float32 sentence vectors
    labels: np.ndarray  # (n,) class of each caption's image
    levels: np.ndarray | None  # (n, A) attribute levels each caption states (-1: not stated)
    images: torch.Tensor  # (n, C, H, W) uint8, the real image of each caption
    classes: tuple[str, ...]
    truth: np.ndarray | None = None  # (n, A) each caption's image's own levels, where known


@dataclass
class FixedCaptions:
    captions: list[str]
    text: torch.Tensor  # (n, E) float32 sentence vectors, one per grid cell

    def entries(self) -> list[dict[str, str]]:
        """captions.json: each cell's caption and the file its image goes to."""
        return [{"caption": caption, "image": f"samples/captions_{i:03d}.png"}
                for i, caption in enumerate(self.captions)]


def pick(labels: np.ndarray, captions_per_image: int, count: int, num_classes: int,
         seed: int) -> list[tuple[int, int]]:
    """(image, caption) index pairs: classes taken in turn (shuffled when there are more
    classes than cells), a random image of each and a random caption of it; for a data set
    without classes, random images."""
    rng = np.random.default_rng(seed)
    order = np.arange(num_classes) if num_classes <= count else rng.permutation(num_classes)
    present = [c for c in order.tolist() if np.any(labels == c)]
    if not present:  # no classes: every image is a candidate
        return [(int(rng.integers(len(labels))), int(rng.integers(captions_per_image)))
                for _ in range(count)]
    chosen = []
    for i in range(count):
        members = np.flatnonzero(labels == present[i % len(present)])
        chosen.append((int(rng.choice(members)), int(rng.integers(captions_per_image))))
    return chosen


def by_class(count: int) -> Choice:
    """`count` pairs, classes taken in turn (see `pick`)."""
    def choose(labels: np.ndarray, per_image: int, num_classes: int, seed: int
               ) -> tuple[np.ndarray, np.ndarray]:
        pairs = pick(labels, per_image, count, num_classes, seed)
        return (np.array([i for i, _ in pairs], np.int64),
                np.array([k for _, k in pairs], np.int64))
    return choose


def every_image(labels: np.ndarray, per_image: int, num_classes: int, seed: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Every image once, in a seeded order, with one random caption of each."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(labels))
    return order, rng.integers(per_image, size=len(labels))[order]


class NoCaptionedSplit(ConfigError):
    """The split holds no captioned image (a folder prepared with --test-fraction 0)."""


def held_out(config: Any, choose: Choice, seed: int, split: str = "test",
             data: Any = None) -> HeldOut:
    """The captions `choose` picks with `seed` from the run's data set (its test split, or
    `split`; `data`: that split already loaded), encoded with the run's text encoder."""
    d = config.data
    if data is None:
        from ganforge.data import load_dataset
        from ganforge.data.prepare_options import run_options

        # a folder: its split prepared as the run's was
        data = load_dataset(d.dataset, split, d.data_dir,
                            text_encoder=config.model.text_encoder, options=run_options(config))
    if len(data) and data.text is None:
        raise NoCaptionedSplit(f"{d.dataset}: it has no captions; a text-to-image run is "
                               f"scored on held-out captions of the data set it drew from")
    if not len(data):
        raise NoCaptionedSplit(f"{d.dataset}: its {split} split holds no captioned image "
                               f"(a folder prepared with --test-fraction 0 has none); a "
                               f"text-to-image run is scored on held-out captions, so train "
                               f"with a --test-fraction above 0 to evaluate it")
    image, caption = choose(data.labels.numpy(), data.text.shape[1], len(data.classes), seed)
    rows, cols = torch.from_numpy(image), torch.from_numpy(caption)
    return HeldOut(
        captions=[data.captions[i][k] for i, k in zip(image.tolist(), caption.tolist(),
                                                      strict=True)],
        text=data.text[rows, cols].float(), labels=data.labels.numpy()[image],
        levels=None if data.levels is None else data.levels[image, caption],
        images=data.images[rows], classes=tuple(data.classes),
        truth=None if data.truth is None else data.truth[image])


def fixed_captions(config: Any, count: int, seed: int, train: Any = None) -> FixedCaptions:
    """`count` held-out captions of the run's data set (its test split; when it holds none
    out, the captions of its training split: `train`, the run's training data, when given,
    else loaded), encoded."""
    try:
        held = held_out(config, by_class(count), seed)
    except NoCaptionedSplit:
        held = held_out(config, by_class(count), seed, split="train", data=train)
    return FixedCaptions(held.captions, held.text)


def evaluation_captions(config: Any, seed: int) -> HeldOut:
    """One random caption of every test image, in the order `seed` draws."""
    return held_out(config, every_image, seed)
