"""Kernel Inception Distance (KID): the unbiased estimate of the squared MMD between two
feature sets with the cubic polynomial kernel k(x, y) = (x.y / d + 1)^3, averaged over
random subsets; its standard deviation over the subsets is reported with it.

Unlike FD it is unbiased, so its expected value for two samples of one distribution is 0
at any n (single estimates may be slightly negative).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

SUBSETS = 100
SUBSET_SIZE = 1000
MIN_SAMPLES = 4  # subsets of at least 2 rows, at most half of each set


@dataclass(frozen=True)
class KidResult:
    mean: float
    std: float
    subsets: int
    subset_size: int


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread for a while: KID's many 1000x1000 products gain little from
    more threads and lose much when the cores are shared (threads wait on each other)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def polynomial_kernel(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """k(x, y) = (x.y / d + 1)^3 for every pair of rows: (n_x, n_y)."""
    k = x @ y.T / x.shape[1] + 1.0
    return k * k * k


def _off_diagonal_mean(k: torch.Tensor) -> torch.Tensor:
    """Mean of a square kernel matrix without its diagonal (in float64)."""
    m = k.shape[0]
    return (k.sum(dtype=torch.float64) - k.diagonal().sum(dtype=torch.float64)) / (m * (m - 1))


def mmd2_unbiased(x: torch.Tensor, y: torch.Tensor) -> float:
    """Unbiased squared MMD between samples x (m, d) and y (m', d) (diagonals excluded)."""
    k_xy = polynomial_kernel(x, y).sum(dtype=torch.float64) / (x.shape[0] * y.shape[0])
    value = (_off_diagonal_mean(polynomial_kernel(x, x))
             + _off_diagonal_mean(polynomial_kernel(y, y)) - 2.0 * k_xy)
    return float(value)


def kid(a: np.ndarray, b: np.ndarray, subsets: int = SUBSETS, subset_size: int = SUBSET_SIZE,
        seed: int = 0) -> KidResult:
    """KID between feature sets a (n_a, d) and b (n_b, d): mean and std of the unbiased MMD^2
    over `subsets` random subsets of min(subset_size, n_a / 2, n_b / 2) rows each (at most
    half of each set, so that the subsets differ and the std means something; kernels in
    float32, sums in float64)."""
    size = min(subset_size, len(a) // 2, len(b) // 2)
    if size < MIN_SAMPLES // 2:
        raise ValueError(f"KID needs at least {MIN_SAMPLES} samples in each set")
    rng = np.random.default_rng(seed)
    x = torch.as_tensor(np.asarray(a, dtype=np.float32))
    y = torch.as_tensor(np.asarray(b, dtype=np.float32))
    with torch.no_grad(), one_thread():
        values = np.array([
            mmd2_unbiased(x[rng.choice(len(a), size, replace=False)],
                          y[rng.choice(len(b), size, replace=False)])
            for _ in range(subsets)
        ])
    return KidResult(float(values.mean()), float(values.std()), subsets, size)
