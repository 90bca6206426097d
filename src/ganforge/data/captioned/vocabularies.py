"""What the captions of each composed set are made of, one object per set: the attributes
measured on its images (attributes.py), their per-class cut points (attribute_cuts.py), and
the words: two nouns per class (text, is plural) and, per attribute and level (low, middle,
high), two adjectives. The registry entry of a composed set names its vocabulary
(`DataSet.composed`); nothing else keys these by a set's name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganforge.data.captioned.attribute_cuts import FASHION_CUTS, MNIST_CUTS

Nouns = tuple[tuple[tuple[str, bool], ...], ...]  # per class: (noun, is plural) x 2
Words = tuple[tuple[tuple[str, str], ...], ...]  # per attribute, per level: 2 adjectives


@dataclass(frozen=True)
class Vocabulary:
    """The attributes, their cut points and the words of one composed caption set."""

    attributes: tuple[str, ...]
    nouns: Nouns
    words: Words
    cuts: tuple[tuple[tuple[float, float], ...], ...]  # (classes, A, 2)

    def cut_points(self) -> np.ndarray:
        """The cut points as a float32 array (classes, A, 2)."""
        return np.asarray(self.cuts, dtype=np.float32)


def _frozen(cuts: list[list[list[float]]]) -> tuple:
    return tuple(tuple(tuple(pair) for pair in row) for row in cuts)


DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

MNIST = Vocabulary(
    attributes=("thickness", "slant", "width"),
    nouns=tuple(((w, False), (f"digit {i}", False)) for i, w in enumerate(DIGITS)),
    words=((("thin", "fine"), ("medium-weight", "regular"), ("thick", "bold")),
           (("left-leaning", "backward-slanted"), ("upright", "straight"),
            ("right-leaning", "slanted")),
           (("narrow", "condensed"), ("medium-width", "average-width"), ("wide", "broad"))),
    cuts=_frozen(MNIST_CUTS),
)

FASHION = Vocabulary(
    attributes=("brightness", "size", "width"),
    nouns=((("t-shirt", False), ("top", False)), (("trousers", True), ("pants", True)),
           (("pullover", False), ("sweater", False)), (("dress", False), ("frock", False)),
           (("coat", False), ("jacket", False)), (("sandal", False), ("summer sandal", False)),
           (("shirt", False), ("button-up shirt", False)),
           (("sneaker", False), ("trainer", False)), (("bag", False), ("handbag", False)),
           (("ankle boot", False), ("boot", False))),
    words=((("dark", "black"), ("grey", "mid-toned"), ("light", "pale")),
           (("small", "compact"), ("medium-sized", "mid-sized"), ("large", "big")),
           (("narrow", "slim"), ("medium-width", "regular-width"), ("wide", "broad"))),
    cuts=_frozen(FASHION_CUTS),
)


def vocabulary_of(dataset: str) -> Vocabulary | None:
    """The vocabulary a data set's registry entry names (None: not a composed set)."""
    from ganforge.data.registry import known, resolve

    entry = known(dataset)
    return None if entry is None or entry.composed is None else resolve(entry.composed)
