"""Captions a text-to-image run never saw in training, as a data set makes them for
`ganforge evaluate RUN --captions unseen` (metrics/unseen.py judges the images drawn for
them). A data set's registry entry names its makers by kind (`DataSet.unseen`: kind ->
"module:function"); each maker takes the test split, the images' order and a seed.

`class_ceiling` is the best class alignment captions allow, given what they state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Unseen:
    """Captions of one kind, what each states, and what each describes where known."""

    captions: list[str]
    levels: np.ndarray  # (n, A) the level each caption states (-1: not stated)
    labels: np.ndarray | None  # (n,) class of each caption (None: no class has them)
    images: Any  # (n, C, H, W) uint8 real image of each (None: no image)
    about: dict[str, Any] = field(default_factory=dict)  # what they are, for eval.json
    class_ceiling: float | None = None  # the best class alignment what they state allows


# (test split, the images' order, caption seed) -> the captions of one kind
Maker = Callable[[Any, np.ndarray, int], Unseen]


def class_attributes(labels: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """(A,) bool: the attributes that are one value within every class of (labels (N,),
    truth (N, A)), the ones a class is made of."""
    labels, truth = np.asarray(labels), np.asarray(truth)
    return np.array([all(len(np.unique(truth[labels == c, j])) == 1 for c in np.unique(labels))
                     for j in range(truth.shape[1])])


def class_ceiling(stated: np.ndarray, labels: np.ndarray, truth: np.ndarray) -> float | None:
    """The best class alignment any generator can reach on captions stating `stated` (n, A)
    (-1: not stated), the images of the class being (labels (N,), truth (N, A)): the mean
    over the captions of the likeliest class's share among the images each fits, on the
    attributes classes are made of. None when no attribute is fixed within each class."""
    labels, truth, stated = np.asarray(labels), np.asarray(truth), np.asarray(stated)
    fixed = class_attributes(labels, truth)
    if not fixed.any():
        return None
    shares = []
    for row in stated:
        said = fixed & (row >= 0)
        fits = np.all(truth[:, said] == row[said], axis=1)
        counts = np.bincount(labels[fits]) if fits.any() else np.zeros(1)
        shares.append(counts.max() / max(1, fits.sum()))
    return float(np.mean(shares))

