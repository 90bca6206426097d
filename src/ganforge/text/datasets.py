"""Data sets with captions, loaded like any other (`load_dataset("fashion-mnist-captions")`):

    flowers102              Oxford 102 flowers, 64x64x3, ten human captions per image
    mnist-captions          MNIST with captions composed from measured attributes
    fashion-mnist-captions  Fashion-MNIST, likewise

Besides images and labels, a loaded split carries its captions (strings, K per image) and,
when an encoder is named, their sentence vectors `text` (N, K, E) float16, from the
embedding cache. `model_fields()` tells a model what it must be built for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ganforge.data.dataset import ImageData
from ganforge.errors import DataError

if TYPE_CHECKING:
    import torch

COMPOSED = {"mnist-captions": "mnist", "fashion-mnist-captions": "fashion-mnist"}
CAPTIONED = ("flowers102", *COMPOSED)
DEFAULT_ENCODER = "minilm"


@dataclass
class CaptionedData(ImageData):
    """An ImageData whose images each have K captions (and their vectors, when encoded)."""

    captions: list[list[str]] | None = None  # (N, K) caption strings
    text: torch.Tensor | None = None  # (N, K, E) float16 sentence vectors
    levels: np.ndarray | None = None  # (N, K, A) attribute levels the captions state, or -1
    attributes: tuple[str, ...] = ()  # names of the A attributes (composed captions only)
    encoder: str | None = None

    def model_fields(self) -> dict[str, int]:
        """Model settings this data set dictates: its classes and, once encoded, text_dim."""
        fields = super().model_fields()
        if self.text is not None:
            fields["text_dim"] = int(self.text.shape[-1])
        return fields


def normalise(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def is_captioned(name: str) -> bool:
    return normalise(name) in CAPTIONED


def _composed(key: str, split: str, data_dir: Any, limit: int | None, verify: bool,
              encoder: str | None) -> CaptionedData:
    import torch

    from ganforge.data.dataset import load_dataset
    from ganforge.text.attributes import ATTRIBUTES, cuts_for, levels, measure
    from ganforge.text.captions_mnist import SEEDS, compose, vocabulary

    base = load_dataset(COMPOSED[key], split, data_dir, None, verify)
    names = ATTRIBUTES[key]
    labels = base.labels.numpy()
    n = len(labels) if limit is None else min(limit, len(labels))
    images, labels = base.images[:n].contiguous(), labels[:n]
    measured = levels(measure(images.numpy(), names), labels, cuts_for(key))  # (n, A)
    index = compose(key, labels, measured, SEEDS[split], len(base))  # (n, K)
    vocab = vocabulary(key)
    stated = np.array([c.levels for c in vocab], dtype=np.int8)[index]  # (n, K, A)
    text = None
    if encoder is not None:
        table = _encode(encoder, [c.text for c in vocab], key)  # (V, E)
        text = table[torch.from_numpy(index)]
    return CaptionedData(images=images, labels=torch.from_numpy(labels), classes=base.classes,
                         name=key, captions=[[vocab[j].text for j in row] for row in index],
                         text=text, levels=stated, attributes=names, encoder=encoder)


def _encode(encoder: str, captions: list[str], dataset: str) -> torch.Tensor:
    from ganforge.text.cache import encode_cached
    from ganforge.text.encoders import get_encoder

    return encode_cached(get_encoder(encoder), captions, dataset)


def fill_captions(captions: list[list[str]]) -> list[list[str]]:
    """Every image's captions cycled to the same count K (the largest an image has)."""
    k = max((len(c) for c in captions), default=1)
    return [[c[i % len(c)] for i in range(k)] for c in captions]


def _flowers(split: str, data_dir: Any, limit: int | None, encoder: str | None
             ) -> CaptionedData:
    import torch

    from ganforge.text.flowers import NAME, load_flowers

    images, labels, captions, classes = load_flowers(split, data_dir, limit)
    captions = fill_captions(captions)
    text = None
    if encoder is not None and captions:
        unique = sorted({c for row in captions for c in row})
        where = {c: i for i, c in enumerate(unique)}
        index = torch.tensor([[where[c] for c in row] for row in captions])  # (N, K)
        text = _encode(encoder, unique, NAME)[index]
    return CaptionedData(images=torch.from_numpy(images), labels=torch.from_numpy(labels),
                         classes=classes, name=NAME, captions=captions, text=text,
                         encoder=encoder)


def load_captioned(name: str, split: Literal["train", "test"] = "train", data_dir: Any = None,
                   limit: int | None = None, verify: bool = True,
                   text_encoder: str | None = DEFAULT_ENCODER) -> CaptionedData:
    """A split of a captioned data set; `text_encoder` None loads the captions only."""
    key = normalise(name)
    if limit is not None and limit < 0:
        raise DataError(f"data set '{key}': limit must be >= 0, got {limit}")
    if key == "flowers102":
        return _flowers(split, data_dir, limit, text_encoder)
    if key in COMPOSED:
        return _composed(key, split, data_dir, limit, verify, text_encoder)
    raise DataError(f"data set {name!r} has no captions (known: {', '.join(CAPTIONED)})")


def list_entries(entries: list[dict[str, object]], data_dir: Any = None
                 ) -> list[dict[str, object]]:
    """`ganforge data list` rows of the captioned sets, given the rows of the file sets."""
    from ganforge.text.flowers import NAME, find_root

    rows: list[dict[str, object]] = []
    for key, base in COMPOSED.items():
        row = next((e for e in entries if e["name"] == base), None)
        found = bool(row and row["found"])
        rows.append({"name": key, "found": found,
                     "location": f"captions composed on {base} ({row['location']})"
                     if found and row else f"not found (needs {base})",
                     "train": 60000, "test": 10000, "image_shape": (1, 28, 28), "classes": 10})
    root = find_root(data_dir)
    rows.append({"name": NAME, "found": root is not None,
                 "location": str(root) if root else "not found (see docs/text-to-image.md)",
                 "train": 7169, "test": 1020, "image_shape": (3, 64, 64), "classes": 102})
    return rows
