"""KID: unbiased (near 0 for one distribution), positive for different ones, with its std."""

import numpy as np
import pytest
import torch

from ganforge.metrics.kid import kid, mmd2_unbiased, polynomial_kernel


def test_kernel_is_the_cubic_polynomial():
    x = torch.tensor([[1.0, 2.0]])
    y = torch.tensor([[3.0, -1.0]])
    assert float(polynomial_kernel(x, y)[0, 0]) == pytest.approx((1.0 / 2 + 1) ** 3)


def test_kid_near_zero_for_two_halves_of_one_set():
    x = np.random.default_rng(0).normal(size=(2000, 32))
    result = kid(x[:1000], x[1000:], subsets=20, subset_size=500)
    assert abs(result.mean) < 3 * result.std + 1e-3
    assert abs(result.mean) < 0.01


def test_kid_positive_for_different_distributions_and_std_reported():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2000, 32)), rng.normal(size=(2000, 32)) + 0.5
    result = kid(a, b, subsets=20, subset_size=500)
    assert result.mean > 10 * result.std > 0
    assert result.subsets == 20 and result.subset_size == 500


def test_kid_std_is_the_spread_over_subsets():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(600, 8)), rng.normal(size=(600, 8)) + 0.3
    result = kid(a, b, subsets=10, subset_size=200, seed=5)
    pick = np.random.default_rng(5)
    x, y = torch.tensor(a, dtype=torch.float32), torch.tensor(b, dtype=torch.float32)
    values = [mmd2_unbiased(x[pick.choice(600, 200, replace=False)],
                            y[pick.choice(600, 200, replace=False)]) for _ in range(10)]
    assert result.mean == pytest.approx(np.mean(values))
    assert result.std == pytest.approx(np.std(values))


def test_subset_size_is_at_most_half_of_each_set():
    rng = np.random.default_rng(3)
    result = kid(rng.normal(size=(50, 4)), rng.normal(size=(80, 4)), subsets=5)
    assert result.subset_size == 25 and result.std > 0
