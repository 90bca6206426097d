"""Captions of the synthetic flowers that training never shows, in the set's own words:

- new word orders: an image's attributes said in one of UNSEEN_PHRASINGS (captions.py),
  phrasings the data set never uses (or in one of SPECIES_PHRASINGS, which state all four
  attributes of its species);
- new combinations: captions in the data set's own phrasings that state a pair of
  attribute values no species combines (e.g. purple petals with a yellow centre), found in
  the species table. Pairs whose disc would not stand out from its petals (white on white)
  are left out, as the species table leaves them out; the other attributes a phrasing
  states are drawn at random (petal and centre colours still standing out);
- new words: an image's attributes in the data set's own phrasings, said with the words
  training never shows (vocabulary.HELD_OUT): held-out colour names in its colour slots and
  held-out nouns (bloom, eye, heart) in its noun slots, so every caption holds at least one.

All are drawn from a seed: the same captions on every machine. The other kinds use the
training words only, so each measures one novelty.
"""

from __future__ import annotations

import itertools
from dataclasses import fields

import numpy as np

from ganforge.data.synthetic_flowers.captions import (
    PHRASINGS,
    SLOTS,
    UNSEEN_PHRASINGS,
    caption_for,
    nouns,
    slots,
)
from ganforge.data.synthetic_flowers.species import (
    ATTRIBUTES,
    VALUES,
    Species,
    all_species,
    stands_out,
)
from ganforge.data.synthetic_flowers.vocabulary import (
    COLOUR_SLOTS,
    NEW_WORDS,
    TRAINING,
    Lexicon,
)

SPECIES_ATTRIBUTES = tuple(f.name for f in fields(Species))  # what makes a species
Pair = tuple[tuple[str, object], tuple[str, object]]  # ((attribute, value), (attribute, value))


def stated_by(phrasing: str) -> set[str]:
    """The attributes a phrasing states."""
    return {SLOTS[s] for s in slots(phrasing)}


def _drawable(attributes: dict[str, object]) -> bool:
    petal, centre = attributes.get("petal_colour"), attributes.get("centre_colour")
    return petal is None or centre is None or stands_out(str(petal), str(centre))


def unseen_pairs() -> tuple[Pair, ...]:
    """Every pair of values of two species attributes that no species combines, that can be
    drawn and that some phrasing of the data set states, in attribute and value order."""
    species = all_species()
    out: list[Pair] = []
    for a, b in itertools.combinations(SPECIES_ATTRIBUTES, 2):
        seen = {(getattr(s, a), getattr(s, b)) for s in species}
        if not any({a, b} <= stated_by(p) for p in PHRASINGS):
            continue
        out += [((a, x), (b, y)) for x, y in itertools.product(VALUES[a], VALUES[b])
                if (x, y) not in seen and _drawable({a: x, b: y})]
    return tuple(out)


def _attributes(row: np.ndarray) -> dict[str, object]:
    """Attribute values of an image from its level indices (A,) in VALUES order."""
    return {a: VALUES[a][int(v)] for a, v in zip(ATTRIBUTES, row, strict=True)}


def new_order_captions(truth: np.ndarray, seed: int,
                       phrasings: tuple[str, ...] = UNSEEN_PHRASINGS,
                       lexicon: Lexicon = TRAINING) -> list[str]:
    """One caption per image of `truth` (n, A), its attribute levels: its own attributes in
    one of `phrasings` (UNSEEN_PHRASINGS; SPECIES_PHRASINGS for whole species), in words of
    `lexicon` (the training words; NEW_WORDS for new words), drawn with `seed`."""
    rng = np.random.default_rng(seed)
    out = []
    for row in truth:
        phrasing = phrasings[int(rng.integers(len(phrasings)))]
        out.append(caption_for(phrasing, _attributes(row), rng, lexicon))
    return out


def around(fixed: dict[str, object], rng: np.random.Generator) -> dict[str, object]:
    """`fixed` and a random value of every other attribute, the colours standing out."""
    while True:
        drawn = {a: VALUES[a][int(rng.integers(len(VALUES[a])))] for a in ATTRIBUTES}
        attributes = {**drawn, **fixed}
        if _drawable(attributes):
            return attributes


def new_combination_captions(n: int, seed: int) -> list[str]:
    """n captions, each stating one of `unseen_pairs()` (drawn with `seed`, as the pair, the
    phrasing among those that state both and every other word are)."""
    rng = np.random.default_rng(seed)
    pairs = unseen_pairs()
    out = []
    for _ in range(n):
        pair = pairs[int(rng.integers(len(pairs)))]
        fitting = [p for p in PHRASINGS if {a for a, _ in pair} <= stated_by(p)]
        phrasing = fitting[int(rng.integers(len(fitting)))]
        out.append(caption_for(phrasing, around(dict(pair), rng), rng))
    return out


def new_word_phrasings() -> tuple[str, ...]:
    """The data set's phrasings a held-out word can fill (a colour or a noun slot)."""
    return tuple(p for p in PHRASINGS if stated_by(p) & set(COLOUR_SLOTS) or nouns(p))


def new_word_captions(truth: np.ndarray, seed: int) -> list[str]:
    """One caption per image of `truth` (n, A): its own attributes in one of the data set's
    phrasings, with held-out colour names and nouns (drawn with `seed`)."""
    return new_order_captions(truth, seed, new_word_phrasings(), NEW_WORDS)
