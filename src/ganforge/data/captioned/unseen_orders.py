"""The composed sets' maker of unseen captions (data/unseen.py), named by their registry
entries: each test image's class and measured attributes in phrasings the set never uses
(composed.phrase_unseen)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ganforge.data.captioned.attributes import levels, measure
from ganforge.data.captioned.composed import compose_unseen
from ganforge.data.captioned.vocabularies import vocabulary_of
from ganforge.data.unseen import Unseen


def new_orders(data: Any, order: np.ndarray, seed: int) -> Unseen:
    labels, images = data.labels.numpy()[order], data.images[torch.from_numpy(order)]
    vocab = vocabulary_of(data.name)
    measured = levels(measure(images.numpy(), data.attributes), labels, vocab.cut_points())
    made = compose_unseen(vocab, labels, measured, seed)
    return Unseen([c.text for c in made], np.array([c.levels for c in made], np.int8),
                  labels, images, {"phrasings": ["a picture of a NOUN that is ...",
                                                 "a NOUN is ...", "a NOUN, ADJECTIVES"]})
