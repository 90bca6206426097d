"""Stacked-MNIST mode count and KL over the 1,000 modes."""

import math

import numpy as np
import pytest

from ganforge.metrics.stacked_modes import mode_labels, stacked_modes


def _probs(digits):
    """Confident per-channel probabilities for digit triples (n, 3) -> (n, 3, 10)."""
    return np.eye(10)[np.asarray(digits)]


def test_mode_label_is_100_d0_plus_10_d1_plus_d2():
    assert mode_labels(_probs([[1, 2, 3], [9, 0, 7]])).tolist() == [123, 907]


def test_every_mode_once_gives_1000_modes_and_kl_zero():
    digits = [[i // 100, i // 10 % 10, i % 10] for i in range(1000)]
    result = stacked_modes(_probs(digits))
    assert result.modes == 1000 and result.kl_uniform == pytest.approx(0.0, abs=1e-12)


def test_one_mode_gives_kl_log_1000():
    result = stacked_modes(_probs([[4, 4, 4]] * 50))
    assert result.modes == 1 and result.kl_uniform == pytest.approx(math.log(1000))


def test_wrong_shape_is_refused():
    with pytest.raises(ValueError):
        mode_labels(np.zeros((5, 10)))
