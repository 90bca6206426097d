"""Captions of new attribute combinations for G: in the set's words, true to no species,
and never stating a pair that the evaluation keeps unseen."""

import itertools

import numpy as np

from ganforge.data.synthetic_flowers.captions import PHRASINGS, parse
from ganforge.data.synthetic_flowers.recombined import novel, recombined_captions
from ganforge.data.synthetic_flowers.species import ATTRIBUTES, VALUES, all_species
from ganforge.data.synthetic_flowers.unseen import SPECIES_ATTRIBUTES, unseen_pairs

CAPTIONS, LEVELS = recombined_captions(600, seed=5)


def test_every_caption_is_in_the_sets_own_phrasings_and_levels_match():
    assert len(CAPTIONS) == 600 and LEVELS.shape == (600, len(ATTRIBUTES))
    for caption, row in zip(CAPTIONS, LEVELS, strict=True):
        stated = parse(caption, PHRASINGS)
        assert [VALUES[a].index(stated[a]) if a in stated else -1 for a in ATTRIBUTES] \
            == row.tolist()


def test_no_species_has_what_a_caption_states():
    species = all_species()
    for caption in CAPTIONS:
        stated = {a: v for a, v in parse(caption, PHRASINGS).items() if a in SPECIES_ATTRIBUTES}
        assert len(stated) >= 3
        assert not any(all(getattr(s, a) == v for a, v in stated.items()) for s in species)


def test_no_caption_states_a_pair_the_evaluation_keeps_unseen():
    held = {frozenset(p) for p in unseen_pairs()}
    for caption in CAPTIONS:
        stated = [(a, v) for a, v in parse(caption, PHRASINGS).items() if a in SPECIES_ATTRIBUTES]
        assert not any(frozenset(p) in held for p in itertools.combinations(stated, 2))


def test_the_captions_vary_and_repeat_with_their_seed():
    assert len(set(CAPTIONS)) > 400
    again, levels = recombined_captions(600, seed=5)
    assert again == CAPTIONS and np.array_equal(levels, LEVELS)
    assert recombined_captions(50, seed=6)[0] != CAPTIONS[:50]


def test_novel_refuses_species_and_held_pairs():
    s = all_species()[0]
    values = {"petal_colour": s.petal_colour, "centre_colour": s.centre_colour,
              "petal_count": s.petal_count, "petal_shape": s.petal_shape, "size": "small"}
    assert not novel(values, {"petal_colour", "centre_colour", "petal_count"})
    (a, x), (b, y) = unseen_pairs()[0]
    assert not novel({**values, a: x, b: y}, {a, b, *(set(SPECIES_ATTRIBUTES) - {a, b})})
