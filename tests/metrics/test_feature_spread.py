"""Feature spread (metrics/feature_spread.py) against hand-worked values, and as a metric
of the registry: a repeated image scores 0, a sample of the real images about 1."""

from __future__ import annotations

import numpy as np
import pytest

from ganforge.metrics.feature_set import FeatureSet
from ganforge.metrics.feature_spread import MAX_ROWS, spread_ratio, spread_statistics
from ganforge.metrics.registry import get_metric


def test_the_spread_of_a_right_triangle():
    # pairs: (0,0)-(3,0) 3, (0,0)-(0,4) 4, (3,0)-(0,4) 5: mean 4
    assert spread_statistics(np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]])) == pytest.approx(4)


def test_the_ratio_and_its_edges():
    assert spread_ratio(2.0, 4.0) == 0.5
    assert spread_ratio(0.0, 4.0) == 0.0
    assert spread_ratio(1.0, 0.0) == 0.0  # real images all alike: nothing to compare with


def test_only_the_first_rows_are_read():
    far = np.zeros((MAX_ROWS + 10, 2))
    far[MAX_ROWS:] = 1000.0  # beyond the rows read
    assert spread_statistics(far) == 0.0


def _spread(metric, features: np.ndarray):
    return metric.statistics(FeatureSet(features, np.ones((len(features), 1))))


def test_the_registered_metric_scores_collapse_zero_and_real_about_one():
    metric = get_metric("spread")
    rng = np.random.default_rng(0)
    real, other = rng.normal(size=(400, 8)), rng.normal(size=(400, 8))
    ref = _spread(metric, real)
    one = np.repeat(other[:1], 400, axis=0)
    assert metric.score(_spread(metric, one), ref) == {"spread": 0.0}
    assert metric.score(_spread(metric, other), ref)["spread"] == pytest.approx(1.0, abs=0.05)
    assert metric.score(_spread(metric, 0.5 * other), ref)["spread"] == \
        pytest.approx(0.5, abs=0.03)
