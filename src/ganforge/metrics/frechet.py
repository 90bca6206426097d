"""Frechet distance (FD) between two feature distributions, each summarised by a Gaussian:

    FD = |mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a S_b)^(1/2))

With Inception features this is FID; ganforge uses its evaluator's features. FD is biased
upwards at small sample counts, so it is only comparable at equal n.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class GaussianStats:
    """Mean (d,) and covariance (d, d) of a feature set, in float64."""

    mean: np.ndarray
    cov: np.ndarray


def gaussian_stats(features: np.ndarray) -> GaussianStats:
    """Features (n, d) -> their mean and unbiased covariance."""
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"need features shaped (n >= 2, d), got {x.shape}")
    return GaussianStats(x.mean(axis=0), np.cov(x, rowvar=False).reshape(x.shape[1], -1))


def _sqrt_psd(matrix: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semi-definite matrix (tiny negative eigenvalues
    from rounding are clipped to 0)."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def trace_sqrt_product(cov_a: np.ndarray, cov_b: np.ndarray) -> float:
    """tr((S_a S_b)^(1/2)), computed as the trace of (A^(1/2) S_b A^(1/2))^(1/2), which has
    the same eigenvalues and is symmetric, so no complex arithmetic is needed."""
    root_a = _sqrt_psd(cov_a)
    inner = root_a @ cov_b @ root_a
    values = np.linalg.eigvalsh((inner + inner.T) / 2)
    return float(np.sqrt(np.clip(values, 0.0, None)).sum())


def frechet_distance(a: GaussianStats, b: GaussianStats) -> float:
    """FD between two Gaussians (never negative)."""
    diff = a.mean - b.mean
    value = (diff @ diff + np.trace(a.cov) + np.trace(b.cov)
             - 2.0 * trace_sqrt_product(a.cov, b.cov))
    return float(max(value, 0.0))


def frechet_distance_of_features(a: np.ndarray, b: np.ndarray) -> float:
    """FD between two feature sets (n_a, d) and (n_b, d)."""
    return frechet_distance(gaussian_stats(a), gaussian_stats(b))
