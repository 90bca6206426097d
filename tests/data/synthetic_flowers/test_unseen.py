"""Captions training never shows: new word orders that no phrasing of the data set matches
and that parse back to what they state, attribute pairs that no species combines, and the
data set's phrasings said with held-out words."""

from __future__ import annotations

import re

import numpy as np
import pytest

from ganforge.data.synthetic_flowers import captions, unseen
from ganforge.data.synthetic_flowers.species import (
    ATTRIBUTES,
    VALUES,
    all_species,
    stands_out,
)
from ganforge.data.synthetic_flowers.vocabulary import (
    COLOUR_SLOTS,
    HELD_OUT,
    NEW_WORDS,
    TRAINING,
)
from ganforge.errors import DataError


def _words(phrasing: str) -> set[str]:
    return set(re.sub(r"\{\w+\}", " ", phrasing).split())


def _random_truth(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.stack([rng.integers(len(VALUES[a]), size=n) for a in ATTRIBUTES], axis=1)


def test_new_phrasings_use_the_data_sets_words_and_say_every_attribute():
    assert len(captions.UNSEEN_PHRASINGS) >= 6
    assert not set(captions.UNSEEN_PHRASINGS) & set(captions.PHRASINGS)
    known = set().union(*map(_words, captions.PHRASINGS))
    for phrasing in captions.UNSEEN_PHRASINGS:
        assert _words(phrasing) <= known, phrasing
    said = set().union(*map(unseen.stated_by, captions.UNSEEN_PHRASINGS))
    assert said == set(ATTRIBUTES)


def test_new_order_captions_are_none_of_the_data_sets_and_parse_back():
    rng = np.random.default_rng(0)
    truth = _random_truth(rng, 400)
    made = unseen.new_order_captions(truth, seed=5)
    assert made == unseen.new_order_captions(truth, seed=5)  # seeded
    training = {c for row in truth for c in captions.captions_for(unseen._attributes(row), rng)}
    assert not set(made) & training
    used = set()
    for caption, row in zip(made, truth, strict=True):
        text = captions.normal_form(caption)
        # no training phrasing matches, whatever words fill its slots
        assert not any(p.match(text) for p, _ in captions.patterns(captions.PHRASINGS)), caption
        with pytest.raises(DataError, match=f"matches none of the {len(captions.PHRASINGS)} "):
            captions.parse(caption)
        stated = captions.parse(caption, captions.UNSEEN_PHRASINGS)
        assert stated and all(unseen._attributes(row)[a] == v for a, v in stated.items())
        levels = captions.stated_levels(caption, captions.UNSEEN_PHRASINGS)
        assert [ATTRIBUTES[j] for j in np.flatnonzero(levels >= 0)] == [
            a for a in ATTRIBUTES if a in stated]
        used.add(next(p for p, (pattern, _) in zip(captions.UNSEEN_PHRASINGS, captions.patterns(
            captions.UNSEEN_PHRASINGS), strict=True) if pattern.match(text)))
    assert used == set(captions.UNSEEN_PHRASINGS)


def test_whole_species_captions_name_one_species_in_no_phrasing_of_the_data_set():
    phrasings = captions.SPECIES_PHRASINGS
    assert not set(phrasings) & set(captions.PHRASINGS + captions.UNSEEN_PHRASINGS)
    known = set().union(*map(_words, captions.PHRASINGS))
    for phrasing in phrasings:  # the data set's words, all four attributes of a species
        assert _words(phrasing) <= known, phrasing
        assert unseen.stated_by(phrasing) == set(unseen.SPECIES_ATTRIBUTES), phrasing
    assert not any(unseen.stated_by(p) >= set(unseen.SPECIES_ATTRIBUTES)
                   for p in captions.PHRASINGS)  # why the held-out captions cannot name one
    truth = _random_truth(np.random.default_rng(1), 300)
    made = unseen.new_order_captions(truth, seed=7, phrasings=phrasings)
    assert made == unseen.new_order_captions(truth, seed=7, phrasings=phrasings)
    assert made != unseen.new_order_captions(truth, seed=7)  # other phrasings by default
    for caption, row in zip(made, truth, strict=True):
        text = captions.normal_form(caption)
        assert not any(p.match(text) for p, _ in captions.patterns(captions.PHRASINGS)), caption
        levels = captions.stated_levels(caption, phrasings)
        assert (levels[:4] == row[:4]).all() and levels[4] == -1, caption


def test_unseen_pairs_are_absent_from_every_species_and_drawable():
    pairs = unseen.unseen_pairs()
    species = all_species()
    assert pairs and any({a for a, _ in p} == {"petal_colour", "centre_colour"} for p in pairs)
    for (a, x), (b, y) in pairs:
        assert not any(getattr(s, a) == x and getattr(s, b) == y for s in species)
        if {a, b} == {"petal_colour", "centre_colour"}:
            assert stands_out(x, y)
    # and every pair a species has is left out
    first = species[0]
    assert (("petal_colour", first.petal_colour), ("centre_colour", first.centre_colour)) \
        not in pairs


def test_new_combination_captions_state_what_no_species_has():
    made = unseen.new_combination_captions(300, seed=3)
    assert made == unseen.new_combination_captions(300, seed=3)
    assert made != unseen.new_combination_captions(300, seed=4)
    pairs = set(unseen.unseen_pairs())
    seen_pairs = set()
    for caption in made:
        stated = captions.parse(caption)  # the data set's own phrasings
        of_species = {a: v for a, v in stated.items() if a in unseen.SPECIES_ATTRIBUTES}
        assert not any(all(getattr(s, a) == v for a, v in of_species.items())
                       for s in all_species()), caption
        if "petal_colour" in stated and "centre_colour" in stated:
            assert stands_out(stated["petal_colour"], stated["centre_colour"])
        seen_pairs |= {p for p in pairs if all(stated.get(a) == v for a, v in p)}
    assert seen_pairs == pairs  # every unseen pair is asked for


def _held_out_in(caption: str) -> list[str]:
    return [w for w in HELD_OUT if re.search(rf"\b{re.escape(w)}\b", caption)]


def test_new_word_captions_say_each_images_attributes_with_held_out_words():
    truth = _random_truth(np.random.default_rng(2), 400)
    made = unseen.new_word_captions(truth, seed=9)
    assert made == unseen.new_word_captions(truth, seed=9)  # seeded
    assert made != unseen.new_word_captions(truth, seed=10)
    assert set(unseen.new_word_phrasings()) <= set(captions.PHRASINGS)
    used, phrasings = set(), set()
    for caption, row in zip(made, truth, strict=True):
        assert _held_out_in(caption), caption  # at least one held-out word in each
        stated = captions.parse(caption)  # the data set's own phrasings
        attributes = unseen._attributes(row)
        assert stated and all(attributes[a] == v for a, v in stated.items()), caption
        for slot in COLOUR_SLOTS:  # every colour said with a held-out name of its value
            if slot in stated:
                assert any(re.search(rf"\b{re.escape(w)}\b", caption)
                           for w in NEW_WORDS.words[slot][stated[slot]]), caption
        used |= set(_held_out_in(caption))
        phrasings.add(next(p for p, (pattern, _) in zip(
            captions.PHRASINGS, captions.patterns(captions.PHRASINGS, False), strict=True)
            if pattern.match(captions.normal_form(caption))))
    assert len(phrasings) == len(captions.PHRASINGS)  # every phrasing has a noun or colour
    assert len(used) > 0.8 * len(HELD_OUT)


def test_new_word_captions_are_never_training_captions():
    truth = _random_truth(np.random.default_rng(3), 300)
    made = set(unseen.new_word_captions(truth, seed=1))
    rng = np.random.default_rng(4)
    training = {c for row in truth for c in captions.captions_for(unseen._attributes(row), rng)}
    assert not made & training
    assert all(not HELD_OUT & set(ws) for values in TRAINING.words.values()
               for ws in values.values())
