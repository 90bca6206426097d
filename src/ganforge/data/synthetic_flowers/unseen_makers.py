"""The synthetic flowers' makers of unseen captions (data/unseen.py), named by the set's
registry entry: new word orders and whole species (each test image's own attributes in
phrasings the set never uses), new combinations (attribute pairs no species has) and new
words (each test image's own attributes in the set's phrasings, said with held-out words)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ganforge.data.synthetic_flowers.captions import (
    PHRASINGS,
    SPECIES_PHRASINGS,
    UNSEEN_PHRASINGS,
    stated_levels,
)
from ganforge.data.synthetic_flowers.unseen import (
    new_combination_captions,
    new_order_captions,
    new_word_captions,
    new_word_phrasings,
    unseen_pairs,
)
from ganforge.data.synthetic_flowers.vocabulary import HELD_OUT
from ganforge.data.unseen import Unseen, class_ceiling


def _of_images(data: Any, order: np.ndarray, captions: list[str],
               phrasings: tuple[str, ...], about: dict[str, Any]) -> Unseen:
    """Captions of the test images `order` (one each), read by `phrasings`."""
    stated = np.stack([stated_levels(c, phrasings) for c in captions])
    labels = data.labels.numpy()
    return Unseen(captions, stated, labels[order], data.images[torch.from_numpy(order)],
                  about, class_ceiling(stated, labels, data.truth))


def _phrased(data: Any, order: np.ndarray, seed: int, phrasings: tuple[str, ...]) -> Unseen:
    """Each test image's own attributes said in one of `phrasings`."""
    captions = new_order_captions(data.truth[order], seed, phrasings)
    return _of_images(data, order, captions, phrasings, {"phrasings": list(phrasings)})


def new_orders(data: Any, order: np.ndarray, seed: int) -> Unseen:
    return _phrased(data, order, seed, UNSEEN_PHRASINGS)


def whole_species(data: Any, order: np.ndarray, seed: int) -> Unseen:
    return _phrased(data, order, seed, SPECIES_PHRASINGS)


def new_words(data: Any, order: np.ndarray, seed: int) -> Unseen:
    """Each test image's own attributes in the set's phrasings, with held-out words."""
    captions = new_word_captions(data.truth[order], seed)
    return _of_images(data, order, captions, PHRASINGS,
                      {"phrasings": list(new_word_phrasings()), "words": sorted(HELD_OUT)})


def new_combinations(data: Any, order: np.ndarray, seed: int) -> Unseen:
    captions = new_combination_captions(len(order), seed)
    stated = np.stack([stated_levels(c, PHRASINGS) for c in captions])
    pairs = [f"{a} {x} with {b} {y}" for (a, x), (b, y) in unseen_pairs()]
    return Unseen(captions, stated, None, None, {"pairs": pairs})
