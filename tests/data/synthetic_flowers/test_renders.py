"""Renders of any attribute combination (for the evaluator's heads): their levels are what is
drawn, they are seeded, and `new_only` draws only combinations no species has."""

from __future__ import annotations

import numpy as np
import pytest

from ganforge.data.synthetic_flowers.renders import renders
from ganforge.data.synthetic_flowers.species import (
    ATTRIBUTES,
    CENTRE_COLOURS,
    VALUES,
    Species,
    all_species,
)
from ganforge.data.synthetic_flowers.unseen import unseen_pairs


def _species(row: np.ndarray) -> Species:
    value = {a: VALUES[a][int(v)] for a, v in zip(ATTRIBUTES, row, strict=True)}
    return Species(value["petal_colour"], value["centre_colour"], value["petal_count"],
                   value["petal_shape"])


def _nearest_centre(image: np.ndarray) -> str:
    """The named centre colour nearest the median pixel within 2 px of the image centre (the
    disc is at least 5.5 px wide there, its middle within 2 px of the centre)."""
    ys, xs = np.mgrid[0:64, 0:64]
    near = np.hypot(xs - 31.5, ys - 31.5) <= 2.0
    rgb = np.median(image.transpose(1, 2, 0)[near], axis=0)
    return min(CENTRE_COLOURS, key=lambda n: np.linalg.norm(rgb - np.array(CENTRE_COLOURS[n])))


@pytest.mark.parametrize("new_only", [False, True])
def test_renders_are_seeded_colour_images_of_the_levels_they_carry(new_only):
    images, truth = renders(40, seed=3, new_only=new_only)
    assert images.shape == (40, 3, 64, 64) and images.dtype == np.uint8
    assert truth.shape == (40, len(ATTRIBUTES)) and truth.dtype == np.int64
    for j, a in enumerate(ATTRIBUTES):
        assert 0 <= truth[:, j].min() and truth[:, j].max() < len(VALUES[a])
    centres = [_nearest_centre(im) for im in images]
    assert centres == [VALUES["centre_colour"][int(v)] for v in truth[:, 1]]
    again, same = renders(40, seed=3, new_only=new_only)
    assert np.array_equal(again, images) and np.array_equal(same, truth)
    other, _ = renders(40, seed=4, new_only=new_only)
    assert not np.array_equal(other, images)


def test_new_only_draws_combinations_no_species_has():
    _, truth = renders(60, seed=0, new_only=True)
    known = set(all_species())
    held = {frozenset(p) for p in unseen_pairs()}
    for row in truth:
        species = _species(row)
        assert species not in known
        values = [(a, getattr(species, a)) for a in ("petal_colour", "centre_colour",
                                                      "petal_count", "petal_shape")]
        assert any(frozenset((x, y)) in held for i, x in enumerate(values)
                   for y in values[i + 1:])


def test_random_renders_cover_every_level_and_combinations_beyond_the_species():
    _, truth = renders(400, seed=1)
    for j, a in enumerate(ATTRIBUTES):
        assert set(truth[:, j].tolist()) == set(range(len(VALUES[a])))
    assert sum(_species(row) not in set(all_species()) for row in truth) > 300


def test_a_bad_count_is_refused():
    with pytest.raises(ValueError, match="n must be"):
        renders(-1, seed=0)
