"""The colour names grounded in RGB: the CIELAB conversion, every name's distance, nearest
palette value and colour word, and every name staying true of the shades the set draws."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from ganforge.data.synthetic_flowers import colour_names as cn
from ganforge.data.synthetic_flowers.make import image_params
from ganforge.data.synthetic_flowers.vocabulary import FIRST_WORDS, WORDS

TABLE_DIGEST = "48c50436c7f9e673"  # of the name table: the same on every machine


def test_lab_of_known_colours():
    assert cn.lab((255, 255, 255)) == pytest.approx([100, 0, 0], abs=0.01)
    assert cn.lab((0, 0, 0)) == pytest.approx([0, 0, 0], abs=0.01)
    assert cn.lab((255, 0, 0)) == pytest.approx([53.24, 80.09, 67.20], abs=0.02)
    assert cn.lab((0, 0, 255)) == pytest.approx([32.30, 79.19, -107.86], abs=0.02)
    assert cn.delta_e((255, 0, 0), (255, 0, 0)) == 0


def test_candidate_names_are_readable_words():
    names = cn.candidates()
    assert len(names) > 900
    assert all(cn.readable(n) for n in names)
    assert "light pink" in names and "lightpink" not in names  # CSS split into words
    assert names["bubblegum"] == (255, 108, 181)  # XKCD's colour
    assert names["white smoke"] == (245, 245, 245)  # a CSS name XKCD lacks
    assert not {"blue/green", "robin's egg", "blue blue", "macaroni and cheese",
                "puke yellow"} & set(names)
    assert cn.split_css("hotpink", {"hot", "pink"}) == "hot pink"
    assert cn.split_css("gainsboro", {"hot", "pink"}) is None


@pytest.mark.parametrize("slot", cn.PALETTES)
def test_every_name_is_near_its_value_and_nearest_it(slot):
    palette = cn.PALETTES[slot]
    values = list(palette)
    for value, names in cn.grounded(slot).items():
        assert names, value  # every value has names
        for name, distance in names:
            rgb = cn.candidates()[name]
            d = cn.delta_e(np.array(rgb)[None], np.array(list(palette.values())))
            assert d[values.index(value)] == pytest.approx(distance)
            assert distance <= cn.THRESHOLD and values[int(d.argmin())] == value, name
            assert cn.head(name) in (None, value), name


def test_the_table_and_its_examples():
    table = {s: {v: [n for n, _ in ns] for v, ns in cn.grounded(s).items()} for s in cn.PALETTES}
    counts = {s: {v: len(ns) for v, ns in values.items()} for s, values in table.items()}
    assert counts == {
        "petal_colour": {"red": 27, "pink": 15, "purple": 8, "blue": 15, "white": 19,
                         "yellow": 26, "orange": 18},
        "centre_colour": {"yellow": 33, "orange": 20, "brown": 13, "black": 4, "white": 19,
                          "green": 33}}
    pink = table["petal_colour"]["pink"]
    assert {"bubblegum", "rose pink", "carnation pink"} <= set(pink)
    assert "hot pink" not in pink and "pale pink" not in pink  # far, or nearer white
    assert "pale blue" not in table["petal_colour"]["white"]  # near white, but says blue
    # the same names on every machine
    digest = hashlib.sha256(repr(table).encode()).hexdigest()
    assert digest[:16] == TABLE_DIGEST, digest



def test_one_value_per_word_in_each_slot():
    for slot, values in WORDS.items():
        words = [w for ws in values.values() for w in ws]
        assert len(words) == len(set(words)), slot
    for slot, values in FIRST_WORDS.items():  # the set's first words come first
        assert all(WORDS[slot][v][: len(ws)] == ws for v, ws in values.items())


def test_every_name_stays_true_of_every_shade_the_set_draws():
    """Each image's shade is its value jittered by up to 12 per channel: every name of the
    value lies within THRESHOLD + jitter_reach(value) of the shade drawn."""
    reach = {s: {v: cn.jitter_reach(rgb) for v, rgb in p.items()} for s, p in cn.PALETTES.items()}
    assert max(r for values in reach.values() for r in values.values()) < 20
    params = image_params(range(1, 8190))
    for slot, attr in (("petal_colour", "petal_rgb"), ("centre_colour", "centre_rgb")):
        for value, names in cn.grounded(slot).items():
            shades = np.array([getattr(p, attr) for p in params
                               if getattr(p.species, slot) == value])
            name_rgb = np.array([cn.candidates()[n] for n, _ in names])
            far = cn.delta_e(shades[:, None], name_rgb[None]).max()
            assert far <= cn.THRESHOLD + reach[slot][value], (slot, value, far)
