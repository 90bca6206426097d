"""Captions of attribute combinations that no species has, for training G to compose what a
caption says rather than recall the species it is nearest to (the text objective's
`recombine_weight`; docs/text-to-image.md).

Each caption is one of the data set's own PHRASINGS stating three species attributes (petal
colour, centre colour, petal count or petal shape, and perhaps the size) whose values no
species combines, while every pair of those values is one some species has. So none of them
states a pair of `unseen.unseen_pairs()`: the captions `ganforge evaluate --captions unseen`
measures as new combinations stay unseen in training. No image is drawn for them; G's images
of them are judged by D's attribute head alone.
"""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

import numpy as np

from ganforge.data.synthetic_flowers.captions import PHRASINGS, caption_for, stated_levels
from ganforge.data.synthetic_flowers.species import ATTRIBUTES, NAME, all_species
from ganforge.data.synthetic_flowers.unseen import (
    SPECIES_ATTRIBUTES,
    around,
    stated_by,
    unseen_pairs,
)

SEED = 2024  # the bank of captions is the same on every machine
BANK = 4096  # captions in the bank the training draws from


def _phrasings() -> tuple[str, ...]:
    """The data set's phrasings that state at least three species attributes."""
    return tuple(p for p in PHRASINGS if len(stated_by(p) & set(SPECIES_ATTRIBUTES)) >= 3)


@cache
def _known() -> tuple[frozenset[frozenset], tuple[dict[str, object], ...]]:
    """The unseen pairs (as sets of two (attribute, value)) and every species' values."""
    held = frozenset(frozenset(pair) for pair in unseen_pairs())
    return held, tuple({a: getattr(s, a) for a in SPECIES_ATTRIBUTES} for s in all_species())


def novel(attributes: dict[str, object], stated: set[str]) -> bool:
    """Whether the species attributes in `stated` take values that no species combines,
    with no pair of them among the unseen pairs the evaluation keeps."""
    keys = [a for a in SPECIES_ATTRIBUTES if a in stated]
    held, species = _known()
    if any(frozenset(((a, attributes[a]), (b, attributes[b]))) in held
           for a, b in itertools.combinations(keys, 2)):
        return False
    return all(any(s[a] != attributes[a] for a in keys) for s in species)


def recombined_captions(n: int, seed: int = SEED) -> tuple[list[str], np.ndarray]:
    """n captions of new combinations and the (n, A) int8 levels each states (-1 where
    unstated), drawn with `seed`."""
    rng = np.random.default_rng(seed)
    phrasings = _phrasings()
    captions: list[str] = []
    while len(captions) < n:
        phrasing = phrasings[int(rng.integers(len(phrasings)))]
        attributes = around({}, rng)
        if novel(attributes, stated_by(phrasing)):
            captions.append(caption_for(phrasing, attributes, rng))
    levels = np.stack([stated_levels(c) for c in captions]) if captions else \
        np.zeros((0, len(ATTRIBUTES)), np.int8)
    return captions, levels


def recombined_bank(encoder: str, n: int = BANK) -> tuple[Any, np.ndarray]:
    """The sentence vectors (n, E) of `recombined_captions(n)` by `encoder` (through the
    embedding cache) and their (n, A) levels."""
    from ganforge.data.captioned.sets import encode

    captions, levels = recombined_captions(n)
    return encode(encoder, captions, NAME), levels
