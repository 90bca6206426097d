"""Captions: enough phrasings, synonyms, and the parser reading each caption back (every
phrasing with every word, held-out words included)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from ganforge.data.synthetic_flowers import captions
from ganforge.data.synthetic_flowers.species import ATTRIBUTES, VALUES
from ganforge.data.synthetic_flowers.vocabulary import HELD_OUT, NOUNS, TRAINING, WORDS
from ganforge.errors import DataError


def test_phrasings_state_one_to_four_attributes():
    assert len(captions.PHRASINGS) >= 12
    counts = [len(set(captions.slots(p))) for p in captions.PHRASINGS]
    assert min(counts) == 1 and max(counts) == 4
    for attribute in ATTRIBUTES:  # every attribute is said by some phrasing
        assert any(captions.SLOTS[s] == attribute for p in captions.PHRASINGS
                   for s in captions.slots(p))


def test_every_caption_is_true_of_its_attributes_and_parses_back():
    rng = np.random.default_rng(0)
    seen_centre_words, seen = set(), set()
    for _ in range(500):
        truth = {a: VALUES[a][int(rng.integers(len(VALUES[a])))] for a in ATTRIBUTES}
        made = captions.captions_for(truth, rng)
        assert len(made) == 10 and len(set(made)) == 10
        for caption in made:
            assert " a o" not in caption and " a a" not in caption and " a e" not in caption
            stated = captions.parse(caption)
            assert 1 <= len(stated) <= 4
            assert all(truth[a] == v for a, v in stated.items()), caption
            seen.add(caption)
            seen_centre_words.update(w for w in captions.CENTRE_WORDS if w in caption.split())
            assert not set(caption.split()) & HELD_OUT, caption  # one-word held-out words
    assert seen_centre_words == set(TRAINING.nouns["centre"])
    assert {"center", "centre", "middle", "stamen", "disc"} <= seen_centre_words
    assert len(seen) > 3500  # most captions differ (of 5,000)


def _fill(phrasing: str, chosen: dict[str, str]) -> str:
    """`phrasing` with each slot filled by `chosen`, else its plainest word ("an" before a
    vowel, as captions_for writes)."""
    def word(match) -> str:
        slot = match.group(1)
        if slot in chosen:
            return chosen[slot]
        if slot in NOUNS:
            return NOUNS[slot][0]
        return next(iter(WORDS[captions.SLOTS[slot]].values()))[0]

    return re.sub(r"\ba ([aeiou])", r"an \1", re.sub(r"\{(\w+)\}", word, phrasing))


def _plain(slot: str) -> object:
    return next(iter(WORDS[captions.SLOTS[slot]]))


@pytest.mark.parametrize("phrasing", captions.PHRASINGS)
def test_every_phrasing_with_every_word_parses_back(phrasing):
    """Each slot filled with each of its words (held-out ones too), the others plainly."""
    for slot in set(captions.slots(phrasing)):
        for value, words in WORDS[captions.SLOTS[slot]].items():
            expected = {captions.SLOTS[s]: _plain(s) for s in captions.slots(phrasing)}
            expected[captions.SLOTS[slot]] = value
            for word in words:
                caption = _fill(phrasing, {slot: word})
                assert captions.parse(caption) == expected, caption
    expected = {captions.SLOTS[s]: _plain(s) for s in captions.slots(phrasing)}
    for noun in set(captions.nouns(phrasing)):
        for word in NOUNS[noun]:
            assert captions.parse(_fill(phrasing, {noun: word})) == expected


@pytest.mark.parametrize("caption, attributes", [
    ("this flower has five pink petals and a yellow center",
     {"petal_count": 5, "petal_colour": "pink", "centre_colour": "yellow"}),
    ("the petals are thin and white and the middle is dark brown",
     {"petal_shape": "thin", "petal_colour": "white", "centre_colour": "brown"}),
    ("a large flower with many pointed orange petals",
     {"size": "large", "petal_count": 12, "petal_shape": "pointed", "petal_colour": "orange"}),
    ("a flower with thin light pink petals and a jet black stamen",
     {"petal_shape": "thin", "petal_colour": "pink", "centre_colour": "black"}),
    ("an orange flower with an orange middle",
     {"petal_colour": "orange", "centre_colour": "orange"}),
])
def test_the_issues_examples_parse(caption, attributes):
    assert captions.parse(caption) == attributes
    levels = captions.stated_levels(caption)
    assert [VALUES[a][v] for a, v in zip(ATTRIBUTES, levels, strict=True) if v >= 0] == [
        attributes[a] for a in ATTRIBUTES if a in attributes]


def test_an_unknown_attribute_word_is_one_clear_error():
    with pytest.raises(DataError, match=r"unknown petal colour word 'teal' in caption"):
        captions.parse("this flower has teal petals")
    with pytest.raises(DataError, match=r"unknown petal count word 'seven'"):
        captions.parse("the flower has seven petals")
    with pytest.raises(DataError, match=rf"matches none of the {len(captions.PHRASINGS)} "
                                        "phrasings"):
        captions.parse("a photo of a cat")
