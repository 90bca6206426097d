"""Stacked MNIST mode count (as in VEEGAN and PacGAN): each of an image's three channels is
classified by the MNIST evaluator; the digits (d0, d1, d2) name one of 1,000 modes
100*d0 + 10*d1 + d2. Reported: the number of modes hit by at least one sample, and
KL(mode histogram || uniform over the 1,000 modes)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganforge.metrics.coverage import kl_to_uniform

DIGITS = 10
CHANNELS = 3
NUM_MODES = DIGITS**CHANNELS
DEFAULT_SAMPLES = 26_000  # the sample count of the published reference points


@dataclass(frozen=True)
class StackedModes:
    modes: int  # modes hit at least once
    kl_uniform: float
    num_modes: int = NUM_MODES


def mode_labels(channel_probs: np.ndarray) -> np.ndarray:
    """Per-channel digit probabilities (n, 3, 10) -> mode index 100*d0 + 10*d1 + d2: (n,)."""
    p = np.asarray(channel_probs)
    if p.ndim != 3 or p.shape[1:] != (CHANNELS, DIGITS):
        raise ValueError(f"need probabilities shaped (n, 3, 10), got {p.shape}")
    digits = p.argmax(axis=2)  # (n, 3)
    return digits @ np.array([100, 10, 1])


def mode_histogram(labels: np.ndarray) -> np.ndarray:
    """Share of samples in each of the 1,000 modes: (1000,)."""
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=NUM_MODES)
    return counts / max(1, counts.sum())


def stacked_modes(channel_probs: np.ndarray) -> StackedModes:
    """Mode count and KL to uniform of stacked-MNIST samples' channel probabilities."""
    hist = mode_histogram(mode_labels(channel_probs))
    return StackedModes(int((hist > 0).sum()), kl_to_uniform(hist))
