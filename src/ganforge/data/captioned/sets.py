"""The caption data sets' loaders (named by their registry entries, ganforge.data.registry):

    mnist-captions          MNIST with captions composed from measured attributes
    fashion-mnist-captions  Fashion-MNIST, likewise
    flowers102              Oxford 102 flowers, 64x64x3, ten human captions per image

(synthetic-flowers, drawn flowers in the Oxford 102 layout, is loaded by
ganforge.data.synthetic_flowers.load with the helpers below.) Besides images and labels, a
loaded split carries its captions (strings, K per image) and, when an encoder is named, their
sentence vectors `text` (N, K, E) float16, from the embedding cache. `model_fields()` tells a
model what it must be built for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ganforge.data.captioned.attributes import LEVELS, levels, measure
from ganforge.data.captioned.composed import SEEDS, compose, vocabulary
from ganforge.data.captioned.flowers import FLOWERS102, check_files, find_layout, load_flowers
from ganforge.data.dataset import ImageData, load_base
from ganforge.data.locate import find_built
from ganforge.data.registry import DataSet, resolve
from ganforge.text.cache import encode_cached
from ganforge.text.encoders import get_encoder

if TYPE_CHECKING:
    import torch

Split = Literal["train", "test"]


def load_composed(entry: DataSet, split: Split, data_dir: Any, limit: int | None,
                  verify: bool, encoder: str | None) -> ImageData:
    """A split of ``entry.base`` (MNIST or Fashion-MNIST) with five composed captions per
    image, the attribute levels each states, and (``encoder``) their vectors."""
    import torch  # imported on loading, so `ganforge data list` stays torch-free

    key, words = entry.name, resolve(entry.composed)
    base = load_base(entry, split, data_dir, verify)
    names = words.attributes
    labels = base.labels.numpy()
    n = len(labels) if limit is None else min(limit, len(labels))
    images, labels = base.images[:n].contiguous(), labels[:n]
    measured = levels(measure(images.numpy(), names), labels, words.cut_points())  # (n, A)
    index = compose(words, labels, measured, SEEDS[split], len(base))  # (n, K)
    vocab = vocabulary(words)
    stated = np.array([c.levels for c in vocab], dtype=np.int8)[index]  # (n, K, A)
    text = None
    if encoder is not None:
        table = encode(encoder, [c.text for c in vocab], key)  # (V, E)
        text = table[torch.from_numpy(index)]
    return ImageData(images=images, labels=torch.from_numpy(labels), classes=base.classes,
                         name=key, captions=[[vocab[j].text for j in row] for row in index],
                         text=text, levels=stated, attributes=names, encoder=encoder,
                         level_counts=(LEVELS,) * len(names))


def find_composed(entry: DataSet, rows: list[dict[str, object]], data_dir: Any
                  ) -> tuple[bool, str]:
    """Found wherever its base set is (`ganforge data list`)."""
    return find_built(entry, rows, "captions composed on")


def encode(encoder: str, captions: list[str], dataset: str) -> torch.Tensor:
    """(len(captions), E) vectors by ``encoder``, from the embedding cache."""
    return encode_cached(get_encoder(encoder), captions, dataset)


def fill_captions(captions: list[list[str]]) -> list[list[str]]:
    """Every image's captions cycled to the same count K (the largest an image has)."""
    k = max((len(c) for c in captions), default=1)
    return [[c[i % len(c)] for i in range(k)] for c in captions]


def encode_rows(captions: list[list[str]], encoder: str | None, name: str
                ) -> torch.Tensor | None:
    """(N, K, E) vectors of the captions, each distinct caption encoded once."""
    import torch  # imported on loading, so `ganforge data list` stays torch-free

    if encoder is None or not captions:
        return None
    unique = sorted({c for row in captions for c in row})
    where = {c: i for i, c in enumerate(unique)}
    index = torch.tensor([[where[c] for c in row] for row in captions])  # (N, K)
    return encode(encoder, unique, name)[index]


def load_flowers102(entry: DataSet, split: Split, data_dir: Any, limit: int | None,
                    verify: bool, encoder: str | None) -> ImageData:
    """A split of Oxford 102 flowers, every image's captions cycled to the same count."""
    import torch  # imported on loading, so `ganforge data list` stays torch-free

    images, labels, captions, classes = load_flowers(split, data_dir, limit)
    captions = fill_captions(captions)
    return ImageData(images=torch.from_numpy(images), labels=torch.from_numpy(labels),
                         classes=classes, name=entry.name, captions=captions,
                         text=encode_rows(captions, encoder, entry.name), encoder=encoder)


def check_flowers102(entry: DataSet, data_dir: Any) -> list[dict[str, object]]:
    """The layout check of Oxford 102 (it has no published checksums)."""
    return check_files(data_dir, FLOWERS102)


def find_flowers102(entry: DataSet, rows: list[dict[str, object]], data_dir: Any
                    ) -> tuple[bool, str]:
    return find_layout(FLOWERS102, data_dir)
