"""Captions of the synthetic flowers, and the parser that reads them back.

Each caption is one of the PHRASINGS below with its slots filled by a word for the image's
attribute (with the usual synonyms: center / centre / middle / stamen, "many" for twelve
petals, ...). Every phrasing states 1 to 4 attributes, so every caption is true of its image.
`parse` turns a caption back into the attributes it states (it raises one DataError naming
an unknown attribute word, or a caption that matches no phrasing); the data set checker and
the `levels` of the loaded data use it. UNSEEN_PHRASINGS are new word orders of the same
words that the data set never uses, for measuring a run on captions it never saw
(`parse(caption, UNSEEN_PHRASINGS)` reads them); SPECIES_PHRASINGS, also never used, state
all four attributes of a species at once.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

from ganforge.data.synthetic_flowers.species import ATTRIBUTES, VALUES
from ganforge.errors import DataError

CAPTIONS_PER_IMAGE = 10

# Slot -> attribute -> value -> the words that say it (the first is the plainest).
WORDS: dict[str, dict[object, tuple[str, ...]]] = {
    "petal_colour": {"red": ("red", "scarlet", "bright red"), "pink": ("pink", "light pink"),
                     "purple": ("purple", "violet"), "blue": ("blue", "deep blue"),
                     "white": ("white", "pure white"), "yellow": ("yellow", "bright yellow"),
                     "orange": ("orange", "bright orange")},
    "centre_colour": {"yellow": ("yellow", "golden"), "orange": ("orange", "dark orange"),
                      "brown": ("brown", "dark brown"), "black": ("black", "jet black"),
                      "white": ("white", "creamy white"), "green": ("green", "light green")},
    "petal_count": {4: ("four",), 5: ("five",), 6: ("six",), 8: ("eight",),
                    12: ("many", "twelve", "lots of")},
    "petal_shape": {"round": ("round", "rounded"), "pointed": ("pointed", "pointy"),
                    "thin": ("thin", "narrow")},
    "size": {"small": ("small", "little"), "medium": ("medium-sized", "mid-sized"),
             "large": ("large", "big")},
}
CENTRE_WORDS = ("center", "centre", "middle", "stamen")
SLOTS = {"colour": "petal_colour", "centre_colour": "centre_colour", "count": "petal_count",
         "shape": "petal_shape", "size": "size"}

PHRASINGS = (
    "this flower has {count} {colour} petals and a {centre_colour} {centre}",
    "the petals are {shape} and {colour} and the {centre} is {centre_colour}",
    "a {size} flower with {count} {shape} {colour} petals",
    "this flower has {colour} petals",
    "a {colour} flower with a {centre_colour} {centre}",
    "this {size} flower has {shape} petals",
    "the flower has {count} petals",
    "a flower with {shape} {colour} petals and a {centre_colour} {centre}",
    "the {centre} of this flower is {centre_colour}",
    "a {size} {colour} flower",
    "this flower has {count} {shape} petals around a {centre_colour} {centre}",
    "{colour} petals surround a {centre_colour} {centre}",
    "a {size} flower with {colour} petals",
    "this flower has petals that are {colour} and {shape}",
    "there are {count} {colour} petals on this {size} flower",
    "a flower with a {centre_colour} {centre} and {shape} petals",
)
# New word orders of the same words, never used by the data set (captions_for draws only
# PHRASINGS): `ganforge evaluate --captions unseen` measures a run on them.
UNSEEN_PHRASINGS = (
    "the {centre} is {centre_colour} and the petals are {colour}",
    "the petals of this {size} flower are {colour}",
    "this flower has a {centre_colour} {centre} and {count} {colour} petals",
    "petals that are {shape} and {colour} surround a {centre_colour} {centre}",
    "the flower is {size} and has {count} {shape} petals",
    "a flower with {count} petals that are {colour}",
)
# Phrasings that state all four attributes a species is made of (petal colour, centre colour,
# count and shape), in words of the data set but in no phrasing of it (none of PHRASINGS states
# all four): each caption names exactly one species, so it measures whether a run draws the
# species a full description names (`ganforge evaluate --captions unseen`, "whole species").
SPECIES_PHRASINGS = (
    "this flower has {count} {shape} {colour} petals and a {centre_colour} {centre}",
    "a flower with {count} {colour} petals that are {shape} around a {centre_colour} {centre}",
    "the {centre} is {centre_colour} and there are {count} {shape} {colour} petals",
)
_SLOT = re.compile(r"\{(\w+)\}")
_ARTICLE = re.compile(r"\ba ([aeiou])")  # "a orange centre" -> "an orange centre"


def slots(phrasing: str) -> list[str]:
    return [s for s in _SLOT.findall(phrasing) if s != "centre"]


def caption_for(phrasing: str, attributes: dict[str, object], rng: np.random.Generator) -> str:
    """`phrasing` filled with words for `attributes` (synonyms drawn with `rng`)."""
    def word(match: re.Match[str]) -> str:
        slot = match.group(1)
        if slot == "centre":
            return CENTRE_WORDS[int(rng.integers(len(CENTRE_WORDS)))]
        options = WORDS[SLOTS[slot]][attributes[SLOTS[slot]]]
        return options[int(rng.integers(len(options)))]

    return _ARTICLE.sub(r"an \1", _SLOT.sub(word, phrasing))


def captions_for(attributes: dict[str, object], rng: np.random.Generator) -> list[str]:
    """CAPTIONS_PER_IMAGE captions of one image, each from a different phrasing."""
    chosen = rng.choice(len(PHRASINGS), size=CAPTIONS_PER_IMAGE, replace=False)
    return [caption_for(PHRASINGS[i], attributes, rng) for i in chosen.tolist()]


def _slot_pattern(slot: str) -> str:
    """A slot's known words (longest first, so "light pink" wins over "pink"), else any one
    word (which `parse` then reports as unknown)."""
    known = sorted({w for ws in WORDS[SLOTS[slot]].values() for w in ws}, key=len, reverse=True)
    return "(" + "|".join(map(re.escape, known)) + r"|[a-z]+(?:-[a-z]+)?)"


@cache
def patterns(phrasings: tuple[str, ...] = PHRASINGS
             ) -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """Each phrasing as a regular expression whose groups are its slots' words (any one
    word in a slot: a caption of another phrasing matches none of them)."""
    centre = "(?:" + "|".join(CENTRE_WORDS) + ")"
    out = []
    for phrasing in phrasings:
        parts = _SLOT.split(phrasing)  # text, slot, text, slot, ...
        regex = "".join(re.escape(p) if i % 2 == 0 else centre if p == "centre" else
                        _slot_pattern(p) for i, p in enumerate(parts))
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
    "petal_count": 5}."""
    text = normal_form(caption)
    for pattern, names in patterns(phrasings):
        match = pattern.match(text)
        if match:
            return {SLOTS[s]: _lookup(s, w, caption) for s, w in zip(names, match.groups(),
                                                                      strict=True)}
    raise DataError(f"caption {caption!r} matches none of the {len(phrasings)} phrasings")


def stated_levels(caption: str, phrasings: tuple[str, ...] = PHRASINGS) -> np.ndarray:
    """(A,) int8: the index of each attribute's stated value in VALUES, -1 where unstated."""
    stated = parse(caption, phrasings)
    return np.array([VALUES[a].index(stated[a]) if a in stated else -1 for a in ATTRIBUTES],
                    dtype=np.int8)
