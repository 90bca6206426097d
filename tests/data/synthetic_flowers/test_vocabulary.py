"""The held-out words: their share and rule, and the whole set's training captions (both
splits, made by the caption maker without drawing an image) never holding one."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from ganforge.data.synthetic_flowers import captions
from ganforge.data.synthetic_flowers import vocabulary as vocab
from ganforge.data.synthetic_flowers.make import image_captions, image_params
from ganforge.data.synthetic_flowers.species import ATTRIBUTES, VALUES

CAPTIONS_DIGEST = "3c80d44298c2480c"  # of all 81,890 captions in image order
DISTINCT = 40_769


@pytest.fixture(scope="module")
def made():
    """Every image's captions, as `data make` writes them, and each image's attributes."""
    params = image_params(range(1, 8190))
    return [image_captions(p) for p in params], [p.species for p in params], params


def test_a_share_of_each_values_words_is_held_out():
    for slot in vocab.COLOUR_SLOTS:
        for value, words in vocab.WORDS[slot].items():
            held = [w for w in words if w in vocab.HELD_OUT]
            assert 0.15 <= len(held) / len(words) <= 0.3, (slot, value, held)
            assert not set(held) & set(vocab.FIRST_WORDS[slot][value])  # never a first word
            assert set(vocab.TRAINING.words[slot][value]) == set(words) - set(held)
            assert set(vocab.NEW_WORDS.words[slot][value]) == set(held)
    for kind, nouns in vocab.NOUNS.items():
        held = [n for n in nouns if n in vocab.HELD_OUT]
        assert held and nouns[0] not in held and set(vocab.TRAINING.nouns[kind]) == \
            set(nouns) - set(held)
    assert {"bloom", "eye", "heart"} == {n for ns in vocab.NOUNS.values() for n in ns} & \
        vocab.HELD_OUT


def test_held_out_words_are_picked_by_their_sha256_and_lie_inside_no_other_word():
    everything = {w for values in vocab.WORDS.values() for ws in values.values() for w in ws}
    everything |= {n for ns in vocab.NOUNS.values() for n in ns}
    literal = " ".join(re.sub(r"\{\w+\}", " ", p) for p in captions.PHRASINGS).split()
    for word in vocab.HELD_OUT:
        assert word not in vocab.parts(everything) and word not in literal, word
    for slot in vocab.COLOUR_SLOTS:  # the lowest SHA-256 of the eligible words
        for value, words in vocab.WORDS[slot].items():
            held = {w for w in words if w in vocab.HELD_OUT}
            eligible = [w for w in words[len(vocab.FIRST_WORDS[slot][value]):]
                        if w not in vocab.parts(everything)]
            lowest = sorted(eligible, key=vocab.sha_order)[: len(held)]
            assert set(lowest) <= held  # (more when the other palette held one out too)


def test_no_training_caption_of_the_whole_set_holds_a_held_out_word(made):
    rows, species, _ = made
    flat = [c for row in rows for c in row]
    held = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(vocab.HELD_OUT, key=len,
                                                                  reverse=True))) + r")\b")
    assert not [c for c in set(flat) if held.search(c)]
    assert len(flat) == 81_890 and len(set(flat)) == DISTINCT
    # the same captions on every machine
    assert hashlib.sha256("\n".join(flat).encode()).hexdigest()[:16] == CAPTIONS_DIGEST


def test_every_caption_of_the_whole_set_is_true_of_its_image(made):
    rows, _, params = made
    table = {c: captions.stated_levels(c) for c in {c for row in rows for c in row}}
    truth = np.array([[VALUES[a].index(getattr(p.species, a) if a != "size" else p.size)
                       for a in ATTRIBUTES] for p in params])
    stated = np.array([[table[c] for c in row] for row in rows])  # (N, 10, A)
    said = stated >= 0
    assert said.any(axis=2).all()
    assert (stated == truth[:, None])[said].all()
    assert all(len(set(row)) == 10 for row in rows)
