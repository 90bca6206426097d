"""Mode coverage: how many classes the samples cover and how far their class histogram is
from uniform. A class is covered when at least `min_share` (1%) of the samples are
predicted to be in it; KL(histogram || uniform) is 0 for perfectly balanced samples and
log K when every sample falls in one class."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_SHARE = 0.01


@dataclass(frozen=True)
class Coverage:
    covered: tuple[int, ...]  # indices of the covered classes
    num_classes: int
    kl_uniform: float

    @property
    def count(self) -> int:
        return len(self.covered)


def class_histogram(probs: np.ndarray) -> np.ndarray:
    """Share of samples predicted in each class: probabilities (n, K) -> (K,), sums to 1."""
    p = np.asarray(probs)
    counts = np.bincount(p.argmax(axis=1), minlength=p.shape[1]).astype(np.float64)
    return counts / max(1.0, counts.sum())


def kl_to_uniform(histogram: np.ndarray) -> float:
    """KL(h || uniform over len(h) classes) = sum h log(h K) (empty classes add nothing)."""
    h = np.asarray(histogram, dtype=np.float64)
    nz = h[h > 0]
    return float((nz * np.log(nz * h.shape[0])).sum())


def coverage(probs: np.ndarray, min_share: float = MIN_SHARE) -> Coverage:
    """Coverage of class probabilities (n, K)."""
    hist = class_histogram(probs)
    covered = tuple(int(i) for i in np.flatnonzero(hist >= min_share))
    return Coverage(covered, int(hist.shape[0]), kl_to_uniform(hist))
