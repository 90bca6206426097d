"""Improved precision and recall (Kynkaanniemi et al., 2019) in feature space.

Each set's manifold is the union of balls around its points, each ball reaching the point's
k-th nearest neighbour in the same set. Precision = share of generated samples inside the
real manifold (quality); recall = share of real samples inside the generated manifold
(diversity). Both lie in [0, 1]; a set compared with itself gives 1 and 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

K = 3
MIN_SAMPLES = K + 1  # each point needs k other points
CHUNK = 1000


@dataclass(frozen=True)
class PrecisionRecall:
    precision: float
    recall: float
    k: int


def squared_distances(a: torch.Tensor, b: torch.Tensor, b_sq: torch.Tensor) -> torch.Tensor:
    """|a_i - b_j|^2 for every pair, (m, n), from one matrix product (b_sq = |b_j|^2)."""
    a_sq = (a * a).sum(dim=1)
    return torch.addmm(b_sq[None, :], a, b.T, alpha=-2.0).add_(a_sq[:, None]).clamp_(min=0.0)


def knn_radii(points: torch.Tensor, k: int = K) -> torch.Tensor:
    """Squared distance from each point (n, d) to its k-th nearest other point: (n,)."""
    if points.shape[0] <= k:
        raise ValueError(f"need more than k={k} points, got {points.shape[0]}")
    sq = (points * points).sum(dim=1)
    radii = [squared_distances(points[i : i + CHUNK], points, sq)
             .topk(k + 1, dim=1, largest=False).values[:, k]  # [:, 0] is the point itself
             for i in range(0, points.shape[0], CHUNK)]
    return torch.cat(radii)


def inside_manifold(queries: torch.Tensor, points: torch.Tensor,
                    radii: torch.Tensor) -> torch.Tensor:
    """For each query (m, d): is it within the ball of some points[j] (squared radius
    radii[j])? -> bool (m,)."""
    sq = (points * points).sum(dim=1)
    found = [(squared_distances(queries[i : i + CHUNK], points, sq) <= radii[None, :]).any(1)
             for i in range(0, queries.shape[0], CHUNK)]
    return torch.cat(found)


def _as_tensor(features: np.ndarray | torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(np.asarray(features, dtype=np.float32))


def precision_recall(generated: np.ndarray, real: np.ndarray, k: int = K) -> PrecisionRecall:
    """Precision and recall of `generated` (n, d) against `real` (m, d)."""
    gen, ref = _as_tensor(generated), _as_tensor(real)
    with torch.no_grad():
        precision = inside_manifold(gen, ref, knn_radii(ref, k)).float().mean()
        recall = inside_manifold(ref, gen, knn_radii(gen, k)).float().mean()
    return PrecisionRecall(float(precision), float(recall), k)
