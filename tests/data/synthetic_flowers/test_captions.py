"""Captions: enough phrasings, synonyms, and the parser reading each caption back."""

from __future__ import annotations

import numpy as np
import pytest

from ganforge.data.synthetic_flowers import captions
from ganforge.data.synthetic_flowers.species import ATTRIBUTES, VALUES
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
    assert seen_centre_words == {"center", "centre", "middle", "stamen"}


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
    with pytest.raises(DataError, match=r"matches none of the 16 phrasings"):
        captions.parse("a photo of a cat")
