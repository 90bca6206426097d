"""Data sets with captions, loaded like any other (`load_dataset("fashion-mnist-captions")`):

    flowers102              Oxford 102 flowers, 64x64x3, ten human captions per image
    synthetic-flowers       drawn flowers in the Oxford 102 layout, made on first use
    mnist-captions          MNIST with captions composed from measured attributes
    fashion-mnist-captions  Fashion-MNIST, likewise

Besides images and labels, a loaded split carries its captions (strings, K per image) and,
when an encoder is named, their sentence vectors `text` (N, K, E) float16, from the
embedding cache. `model_fields()` tells a model what it must be built for.

Each set is one row of CAPTIONED_SETS: its loader, its `data list` row, its checker and the
data set whose evaluator scores its images.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ganforge.data.dataset import ImageData
from ganforge.errors import DataError

if TYPE_CHECKING:
    import torch

COMPOSED = {"mnist-captions": "mnist", "fashion-mnist-captions": "fashion-mnist"}
DEFAULT_ENCODER = "minilm"


@dataclass
class CaptionedData(ImageData):
    """An ImageData whose images each have K captions (and their vectors, when encoded)."""

    captions: list[list[str]] | None = None  # (N, K) caption strings
    attributes: tuple[str, ...] = ()  # names of the A attributes (composed and drawn sets)
    level_counts: tuple[int, ...] = ()  # levels of each attribute, where `truth` is known
    encoder: str | None = None

    def model_fields(self) -> dict[str, int]:
        """Model settings this data set dictates: its classes and, once encoded, text_dim."""
        fields = super().model_fields()
        if self.text is not None:
            fields["text_dim"] = int(self.text.shape[-1])
        return fields


def normalise(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def _composed(key: str, split: str, data_dir: Any, limit: int | None, verify: bool,
              encoder: str | None) -> CaptionedData:
    import torch

    from ganforge.data.captioned.attributes import ATTRIBUTES, cuts_for, levels, measure
    from ganforge.data.captioned.composed import SEEDS, compose, vocabulary
    from ganforge.data.dataset import load_dataset

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


def _encode_rows(captions: list[list[str]], encoder: str | None, name: str
                 ) -> torch.Tensor | None:
    """(N, K, E) vectors of the captions, each distinct caption encoded once."""
    import torch

    if encoder is None or not captions:
        return None
    unique = sorted({c for row in captions for c in row})
    where = {c: i for i, c in enumerate(unique)}
    index = torch.tensor([[where[c] for c in row] for row in captions])  # (N, K)
    return _encode(encoder, unique, name)[index]


def _flowers(split: str, data_dir: Any, limit: int | None, verify: bool, encoder: str | None
             ) -> CaptionedData:
    import torch

    from ganforge.data.captioned.flowers import NAME, load_flowers

    images, labels, captions, classes = load_flowers(split, data_dir, limit)
    captions = fill_captions(captions)
    return CaptionedData(images=torch.from_numpy(images), labels=torch.from_numpy(labels),
                         classes=classes, name=NAME, captions=captions,
                         text=_encode_rows(captions, encoder, NAME), encoder=encoder)


def _synthetic(split: str, data_dir: Any, limit: int | None, verify: bool,
               encoder: str | None) -> CaptionedData:
    """synthetic-flowers through the flowers reader (made first if missing), with the levels
    its captions state and each image's own attributes."""
    import torch

    from ganforge.data.captioned.flowers import read_members, split_members
    from ganforge.data.synthetic_flowers import load as synthetic

    name = synthetic.LAYOUT.name
    root = synthetic.ensure_root(data_dir)
    root, ids, labels, classes = split_members(split, root.parent, limit, synthetic.LAYOUT)
    images, captions = read_members(root, ids, labels, name)
    return CaptionedData(images=torch.from_numpy(images), labels=torch.from_numpy(labels - 1),
                         classes=classes, name=name, captions=captions,
                         text=_encode_rows(captions, encoder, name),
                         levels=synthetic.caption_levels(captions),
                         attributes=synthetic.ATTRIBUTES,
                         truth=synthetic.image_levels(root, ids, labels),
                         level_counts=synthetic.LEVEL_COUNTS, encoder=encoder)


def _composed_entry(key: str, entries: list[dict[str, object]], data_dir: Any
                    ) -> dict[str, object]:
    base = COMPOSED[key]
    row = next((e for e in entries if e["name"] == base), None)
    found = bool(row and row["found"])
    return {"name": key, "found": found,
            "location": f"captions composed on {base} ({row['location']})"
            if found and row else f"not found (needs {base})",
            "train": 60000, "test": 10000, "image_shape": (1, 28, 28), "classes": 10}


def _layout_entry(layout: Any, data_dir: Any) -> dict[str, object]:
    from ganforge.data.captioned.flowers import find_root

    root = find_root(data_dir, layout)
    return {"name": layout.name, "found": root is not None,
            "location": str(root) if root else f"not found ({layout.missing})",
            "train": 7169, "test": 1020, "image_shape": (3, 64, 64), "classes": 102}


def _flowers_entry(key: str, entries: list[dict[str, object]], data_dir: Any
                   ) -> dict[str, object]:
    from ganforge.data.captioned.flowers import FLOWERS102

    return _layout_entry(FLOWERS102, data_dir)


def _synthetic_entry(key: str, entries: list[dict[str, object]], data_dir: Any
                     ) -> dict[str, object]:
    from ganforge.data.synthetic_flowers.load import LAYOUT

    return _layout_entry(LAYOUT, data_dir)


def _check_flowers(data_dir: Any) -> list[dict[str, object]]:
    from ganforge.data.captioned.flowers import check_files

    return check_files(data_dir)


def _check_synthetic(data_dir: Any) -> list[dict[str, object]]:
    from ganforge.data.synthetic_flowers.load import check

    return check(data_dir)


def _make_synthetic(out: Any, log: Callable[[str], None] | None = None) -> Any:
    from ganforge.data.synthetic_flowers.make import make

    return make(out, log=log)


@dataclass(frozen=True)
class CaptionedSpec:
    """A captioned data set: how to load a split, its `data list` row, how `data check`
    checks it (None: the files of the set it is composed on), the data set whose evaluator
    scores its images, and how `data make` writes it (None: ganforge does not draw it)."""

    load: Callable[..., CaptionedData]  # (split, data_dir, limit, verify, encoder)
    entry: Callable[[str, list[dict[str, object]], Any], dict[str, object]]
    check: Callable[[Any], list[dict[str, object]]] | None
    scored_as: str
    make: Callable[..., Any] | None = None  # (out, log=...) -> folder written


def _composed_loader(key: str) -> Callable[..., CaptionedData]:
    return lambda split, data_dir, limit, verify, encoder: _composed(
        key, split, data_dir, limit, verify, encoder)


CAPTIONED_SETS: dict[str, CaptionedSpec] = {
    **{key: CaptionedSpec(_composed_loader(key), _composed_entry, None, base)
       for key, base in COMPOSED.items()},
    "flowers102": CaptionedSpec(_flowers, _flowers_entry, _check_flowers, "flowers102"),
    "synthetic-flowers": CaptionedSpec(_synthetic, _synthetic_entry, _check_synthetic,
                                       "synthetic-flowers", _make_synthetic),
}
CAPTIONED = tuple(CAPTIONED_SETS)


def is_captioned(name: str) -> bool:
    return normalise(name) in CAPTIONED_SETS


def get_captioned(name: str) -> CaptionedSpec:
    key = normalise(name)
    if key not in CAPTIONED_SETS:
        raise DataError(f"data set {name!r} has no captions (known: {', '.join(CAPTIONED)})")
    return CAPTIONED_SETS[key]


def scored_as(name: str) -> str | None:
    """The data set whose evaluator scores a captioned set's images (None: not captioned)."""
    spec = CAPTIONED_SETS.get(normalise(name))
    return None if spec is None else spec.scored_as


def load_captioned(name: str, split: Literal["train", "test"] = "train", data_dir: Any = None,
                   limit: int | None = None, verify: bool = True,
                   text_encoder: str | None = DEFAULT_ENCODER) -> CaptionedData:
    """A split of a captioned data set; `text_encoder` None loads the captions only."""
    spec = get_captioned(name)
    if limit is not None and limit < 0:
        raise DataError(f"data set '{normalise(name)}': limit must be >= 0, got {limit}")
    return spec.load(split, data_dir, limit, verify, text_encoder)


def check_captioned(name: str, data_dir: Any = None) -> list[dict[str, object]] | None:
    """`data check` reports of a captioned set with a checker of its own, else None."""
    spec = CAPTIONED_SETS.get(normalise(name))
    return None if spec is None or spec.check is None else spec.check(data_dir)


def list_entries(entries: list[dict[str, object]], data_dir: Any = None
                 ) -> list[dict[str, object]]:
    """`ganforge data list` rows of the captioned sets, given the rows of the file sets."""
    return [spec.entry(key, entries, data_dir) for key, spec in CAPTIONED_SETS.items()]
