"""The words of the synthetic flowers' captions: for each attribute value the words that say
it, the nouns for the flower and its centre, and the held-out words training never shows.

- Colours: the set's first words (the plainest first: "red", "scarlet", "bright red", ...)
  and then the colour names grounded in RGB (colour_names.py: XKCD and CSS names within
  THRESHOLD delta E of the value and nearest it), nearest first.
- Nouns: flower, bloom, blossom; center, centre, middle, stamen and the other names of a
  flower's disc: eye, disc and heart (not anthers or pistil, parts smaller than the disc).
- Held out: of each colour value's words and of each noun slot's nouns, HELD_OUT_SHARE of
  them (at least one) are never used in training captions, picked by SHA-256 of the word
  (lowest first) among the words that are neither a first word of the set nor a whole-word
  part of any other word (so no training caption holds a held-out word, even inside a longer
  name). A word held out for one palette is held out for the other too. The parser reads
  every word, held out or not; `ganforge evaluate --captions unseen` asks for them ("new
  words").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from ganforge.data.synthetic_flowers.colour_names import grounded

HELD_OUT_SHARE = 0.22
PLAIN_SHARE = 0.5  # share of training captions' colour words and nouns from the first words

# Slot attribute -> value -> the words the set began with (the first is the plainest); kept
# as they were, whether or not their XKCD colour meets the rule of colour_names.py.
FIRST_WORDS: dict[str, dict[object, tuple[str, ...]]] = {
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
# Noun slot -> its nouns (the first is the plainest) and how many of them the set began with.
NOUNS: dict[str, tuple[str, ...]] = {
    "flower": ("flower", "bloom", "blossom"),
    "centre": ("center", "centre", "middle", "stamen", "eye", "disc", "heart"),
}
FIRST_NOUNS = {"flower": 1, "centre": 4}
COLOUR_SLOTS = ("petal_colour", "centre_colour")


def _all_words() -> dict[str, dict[object, tuple[str, ...]]]:
    """Every word of every value: the first words, then the grounded colour names (a name
    that is already a word of the slot is not repeated)."""
    out = {slot: dict(values) for slot, values in FIRST_WORDS.items()}
    for slot in COLOUR_SLOTS:
        taken = {w for ws in FIRST_WORDS[slot].values() for w in ws}
        for value, names in grounded(slot).items():
            out[slot][value] += tuple(n for n, _ in names if n not in taken)
    return out


WORDS = _all_words()


def sha_order(word: str) -> str:
    return hashlib.sha256(word.encode("utf-8")).hexdigest()


def parts(words: set[str]) -> set[str]:
    """The whole-word runs that lie inside a longer word of `words` ("pink" of "rose pink")."""
    out = set()
    for word in words:
        tokens = word.split()
        out |= {" ".join(tokens[i:j]) for i in range(len(tokens))
                for j in range(i + 1, len(tokens) + 1) if j - i < len(tokens)}
    return out


def _pick(words: tuple[str, ...], first: int, inside: set[str]) -> set[str]:
    """HELD_OUT_SHARE of `words` (at least one), lowest SHA-256 first, among those past the
    first `first` that are not in `inside` (parts of other words)."""
    eligible = sorted((w for w in words[first:] if w not in inside), key=sha_order)
    return set(eligible[:max(1, round(HELD_OUT_SHARE * len(words)))])


def _held_out() -> frozenset[str]:
    everything = {w for values in WORDS.values() for ws in values.values() for w in ws} | \
        {n for nouns in NOUNS.values() for n in nouns}
    inside = parts(everything)
    held: set[str] = set()
    for slot in COLOUR_SLOTS:
        for value, words in WORDS[slot].items():
            held |= _pick(words, len(FIRST_WORDS[slot][value]), inside)
    for kind, nouns in NOUNS.items():
        held |= _pick(nouns, FIRST_NOUNS[kind], inside)
    return frozenset(held)


HELD_OUT = _held_out()


@dataclass(frozen=True)
class Lexicon:
    """The words a caption may be filled with: per attribute slot and value, and per noun
    slot. With `plain`, a slot whose words go beyond the set's first ones is filled from its
    first words PLAIN_SHARE of the time, so the plain words people use most stay the most
    common ("pink" more than "bubblegum", "flower" more than "blossom")."""

    words: dict[str, dict[object, tuple[str, ...]]]
    nouns: dict[str, tuple[str, ...]]
    plain: bool

    def options(self, slot: str, value: object, rng: np.random.Generator) -> tuple[str, ...]:
        """The words to draw one from for `value` of attribute `slot` (or noun slot `slot`,
        value None)."""
        if slot in NOUNS:
            every, first = self.nouns[slot], NOUNS[slot][:FIRST_NOUNS[slot]]
        else:
            every, first = self.words[slot][value], FIRST_WORDS[slot][value]
        if self.plain and len(every) > len(first) and rng.random() < PLAIN_SHARE:
            return first
        return every


def _kept(words: tuple[str, ...], held: bool) -> tuple[str, ...]:
    return tuple(w for w in words if (w in HELD_OUT) == held)


# What training captions say (no held-out word) ...
TRAINING = Lexicon({s: {v: _kept(ws, False) for v, ws in values.items()}
                    for s, values in WORDS.items()},
                   {k: _kept(ns, False) for k, ns in NOUNS.items()}, plain=True)
# ... and the held-out words alone (colour slots and nouns; the other slots keep theirs).
NEW_WORDS = Lexicon({s: {v: _kept(ws, s in COLOUR_SLOTS) for v, ws in values.items()}
                     for s, values in WORDS.items()},
                    {k: _kept(ns, True) for k, ns in NOUNS.items()}, plain=False)
