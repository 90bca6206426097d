"""Captions of the synthetic flowers, and the parser that reads them back.

Each caption is one of the PHRASINGS below with its slots filled by a word for the image's
attribute (vocabulary.py: the set's first words and the colour names people use, grounded in
RGB; "many" for twelve petals, ...) and nouns for the flower and its centre (bloom, blossom;
center, middle, stamen, disc, ...). Every phrasing states 1 to 4 attributes, so every caption
is true of its image. Training captions use the TRAINING words only (no held-out word).
`parse` turns a caption back into the attributes it states, held-out words included (it
raises one DataError naming an unknown attribute word, or a caption that matches no
phrasing); the data set checker and the `levels` of the loaded data use it.
UNSEEN_PHRASINGS are new word orders of the same words that the data set never uses, for
measuring a run on captions it never saw (`parse(caption, UNSEEN_PHRASINGS)` reads them);
SPECIES_PHRASINGS, also never used, state all four attributes of a species at once.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

from ganforge.data.synthetic_flowers.species import ATTRIBUTES, VALUES
from ganforge.data.synthetic_flowers.vocabulary import NOUNS, TRAINING, WORDS, Lexicon
from ganforge.errors import DataError

CAPTIONS_PER_IMAGE = 10
CENTRE_WORDS = NOUNS["centre"]
SLOTS = {"colour": "petal_colour", "centre_colour": "centre_colour", "count": "petal_count",
         "shape": "petal_shape", "size": "size"}

PHRASINGS = (
    "this {flower} has {count} {colour} petals and a {centre_colour} {centre}",
    "the petals are {shape} and {colour} and the {centre} is {centre_colour}",
    "a {size} {flower} with {count} {shape} {colour} petals",
    "this {flower} has {colour} petals",
    "a {colour} {flower} with a {centre_colour} {centre}",
    "this {size} {flower} has {shape} petals",
    "the {flower} has {count} petals",
    "a {flower} with {shape} {colour} petals and a {centre_colour} {centre}",
    "the {centre} of this {flower} is {centre_colour}",
    "a {size} {colour} {flower}",
    "this {flower} has {count} {shape} petals around a {centre_colour} {centre}",
    "{colour} petals surround a {centre_colour} {centre}",
    "a {size} {flower} with {colour} petals",
    "this {flower} has petals that are {colour} and {shape}",
    "there are {count} {colour} petals on this {size} {flower}",
    "a {flower} with a {centre_colour} {centre} and {shape} petals",
    # in the manner of the Oxford 102 captions (Reed et al.)
    "this {flower} has petals that are {colour} and has a {centre_colour} {centre}",
    "the {flower} shown has {colour} petals and a {centre_colour} {centre}",
    "the {flower} shown has {count} {shape} petals",
    "this {flower} is {colour} in color with {shape} petals",
    "the petals on this {flower} are {colour} and the {centre} is {centre_colour}",
    "this {flower} has a {centre_colour} {centre} surrounded by {count} {colour} petals",
    "this {size} {flower} has {colour} petals that are {shape}",
    "this is a {size} {flower} with {count} petals",
    # requests
    "draw a {colour} {flower} with a {centre_colour} {centre}",
    "I would like a {flower} with {count} {colour} petals",
    "please make a {size} {flower} with {shape} petals",
    "make me a {flower} with {shape} {colour} petals",
    "can you draw a {size} {flower} with a {centre_colour} {centre}",
    "show me a {flower} with {count} petals and a {centre_colour} {centre}",
    "I want a {colour} {flower}",
)
# New word orders of the same words, never used by the data set (captions_for draws only
# PHRASINGS): `ganforge evaluate --captions unseen` measures a run on them.
UNSEEN_PHRASINGS = (
    "the {centre} is {centre_colour} and the petals are {colour}",
    "the petals of this {size} {flower} are {colour}",
    "this {flower} has a {centre_colour} {centre} and {count} {colour} petals",
    "petals that are {shape} and {colour} surround a {centre_colour} {centre}",
    "the {flower} is {size} and has {count} {shape} petals",
    "a {flower} with {count} petals that are {colour}",
)
# Phrasings that state all four attributes a species is made of (petal colour, centre colour,
# count and shape), in words of the data set but in no phrasing of it (none of PHRASINGS states
# all four): each caption names exactly one species, so it measures whether a run draws the
# species a full description names (`ganforge evaluate --captions unseen`, "whole species").
SPECIES_PHRASINGS = (
    "this {flower} has {count} {shape} {colour} petals and a {centre_colour} {centre}",
    "a {flower} with {count} {colour} petals that are {shape} around a {centre_colour} {centre}",
    "the {centre} is {centre_colour} and there are {count} {shape} {colour} petals",
)
_SLOT = re.compile(r"\{(\w+)\}")
_ARTICLE = re.compile(r"\ba ([aeiou])")  # "a orange centre" -> "an orange centre"


def slots(phrasing: str) -> list[str]:
    """The attribute slots of a phrasing (not its noun slots)."""
    return [s for s in _SLOT.findall(phrasing) if s not in NOUNS]


def nouns(phrasing: str) -> list[str]:
    """The noun slots of a phrasing ("flower", "centre")."""
    return [s for s in _SLOT.findall(phrasing) if s in NOUNS]


def caption_for(phrasing: str, attributes: dict[str, object], rng: np.random.Generator,
                lexicon: Lexicon = TRAINING) -> str:
    """`phrasing` filled with words of `lexicon` for `attributes` (drawn with `rng`)."""
    def word(match: re.Match[str]) -> str:
        slot = match.group(1)
        options = lexicon.options(slot, None, rng) if slot in NOUNS else \
            lexicon.options(SLOTS[slot], attributes[SLOTS[slot]], rng)
        return options[int(rng.integers(len(options)))]

    return _ARTICLE.sub(r"an \1", _SLOT.sub(word, phrasing))


def captions_for(attributes: dict[str, object], rng: np.random.Generator) -> list[str]:
    """CAPTIONS_PER_IMAGE training captions of one image, each from a different phrasing."""
    chosen = rng.choice(len(PHRASINGS), size=CAPTIONS_PER_IMAGE, replace=False)
    return [caption_for(PHRASINGS[i], attributes, rng) for i in chosen.tolist()]


def _alternatives(words: set[str] | tuple[str, ...]) -> str:
    """Words as a regular expression, longest first (so "light pink" wins over "pink")."""
    return "|".join(map(re.escape, sorted(words, key=lambda w: (-len(w), w))))


def _slot_pattern(slot: str, loose: bool) -> str:
    """A slot's known words (held-out ones too); `loose`: else any one word (which `parse`
    then reports as unknown)."""
    if slot in NOUNS:
        return f"(?:{_alternatives(NOUNS[slot])})"
    known = _alternatives({w for ws in WORDS[SLOTS[slot]].values() for w in ws})
    return f"({known}|[a-z]+(?:-[a-z]+)?)" if loose else f"({known})"


@cache
def patterns(phrasings: tuple[str, ...] = PHRASINGS, loose: bool = True
             ) -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """Each phrasing as a regular expression whose groups are its slots' words (`loose`: or
    any one word in a slot, so a caption of another phrasing matches none of them)."""
    out = []
    for phrasing in phrasings:
        parts = _SLOT.split(phrasing)  # text, slot, text, slot, ...
        regex = "".join(re.escape(p.lower()) if i % 2 == 0 else _slot_pattern(p, loose)
                        for i, p in enumerate(parts))
        out.append((re.compile(f"^{regex}$"), tuple(slots(phrasing))))
    return tuple(out)


def _lookup(slot: str, words: str, caption: str) -> object:
    attribute = SLOTS[slot]
    for value, options in WORDS[attribute].items():
        if words in options:
            return value
    raise DataError(f"unknown {attribute.replace('_', ' ')} word {words!r} in caption "
                    f"{caption!r}")


def normal_form(caption: str) -> str:
    """Lower case, single spaces, "an" read as "a": what the phrasings' patterns match."""
    return re.sub(r"\ban\b", "a", " ".join(caption.lower().split()))


def parse(caption: str, phrasings: tuple[str, ...] = PHRASINGS) -> dict[str, object]:
    """The attributes a caption of one of `phrasings` states, e.g. {"petal_colour": "pink",
    "petal_count": 5}: the first phrasing it matches with known words, else the unknown word
    of the first it matches with any word in a slot."""
    text = normal_form(caption)
    for loose in (False, True):
        for pattern, names in patterns(phrasings, loose):
            match = pattern.match(text)
            if match:
                return {SLOTS[s]: _lookup(s, w, caption)
                        for s, w in zip(names, match.groups(), strict=True)}
    raise DataError(f"caption {caption!r} matches none of the {len(phrasings)} phrasings")


def stated_levels(caption: str, phrasings: tuple[str, ...] = PHRASINGS) -> np.ndarray:
    """(A,) int8: the index of each attribute's stated value in VALUES, -1 where unstated."""
    stated = parse(caption, phrasings)
    return np.array([VALUES[a].index(stated[a]) if a in stated else -1 for a in ATTRIBUTES],
                    dtype=np.int8)
