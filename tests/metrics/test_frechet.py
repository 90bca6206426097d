"""Frechet distance against values known in closed form."""

import numpy as np
import pytest

from ganforge.metrics.frechet import (
    GaussianStats,
    frechet_distance,
    frechet_distance_of_features,
    gaussian_stats,
    trace_sqrt_product,
)


def _random_cov(rng, d):
    a = rng.normal(size=(d, d))
    return a @ a.T / d + 0.1 * np.eye(d)


def test_fd_of_a_set_with_itself_is_zero():
    x = np.random.default_rng(0).normal(size=(500, 16))
    assert frechet_distance_of_features(x, x) == pytest.approx(0.0, abs=1e-8)


def test_fd_of_commuting_gaussians_equals_closed_form():
    # Diagonal covariances: FD = |mu1 - mu2|^2 + sum (sqrt(s1) - sqrt(s2))^2.
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, -1.0, 2.5])
    s1, s2 = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    fd = frechet_distance(GaussianStats(mu1, np.diag(s1)), GaussianStats(mu2, np.diag(s2)))
    expected = ((mu1 - mu2) ** 2).sum() + ((np.sqrt(s1) - np.sqrt(s2)) ** 2).sum()
    assert fd == pytest.approx(expected, rel=1e-10)  # 5.25 + 4 + 1 = 10.25
    assert expected == pytest.approx(10.25)


def test_fd_of_general_gaussians_matches_scipy_sqrtm():
    scipy_linalg = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(1)
    a, b = _random_cov(rng, 8), _random_cov(rng, 8)
    mu1, mu2 = rng.normal(size=8), rng.normal(size=8)
    expected = (((mu1 - mu2) ** 2).sum() + np.trace(a) + np.trace(b)
                - 2 * np.trace(scipy_linalg.sqrtm(a @ b).real))
    assert frechet_distance(GaussianStats(mu1, a), GaussianStats(mu2, b)) == pytest.approx(
        expected, rel=1e-8)
    assert trace_sqrt_product(a, b) == pytest.approx(np.trace(scipy_linalg.sqrtm(a @ b).real))


def test_fd_of_samples_approaches_the_gaussians_closed_form():
    rng = np.random.default_rng(2)
    n, d = 200_000, 4
    x = rng.normal(size=(n, d))
    y = rng.normal(size=(n, d)) * 2.0 + 1.0  # mean 1, std 2 in every dimension
    # closed form: d * 1^2 + d * (1 - 2)^2 = 8
    assert frechet_distance_of_features(x, y) == pytest.approx(8.0, rel=0.01)


def test_fd_grows_with_added_noise():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2000, 10))
    base = x + rng.normal(size=x.shape) * 0.01
    values = [frechet_distance_of_features(x, base + rng.normal(size=x.shape) * s)
              for s in (0.0, 0.5, 1.0, 2.0)]
    assert values == sorted(values) and values[0] < 0.05 < values[1]


def test_gaussian_stats_refuses_too_few_samples():
    with pytest.raises(ValueError):
        gaussian_stats(np.zeros((1, 3)))
