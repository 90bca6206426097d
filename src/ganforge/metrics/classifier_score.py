"""Classifier score: the 28x28 analogue of the Inception score,

    CS = exp( E_x KL( p(y|x) || p(y) ) ),   p(y) = E_x p(y|x),

computed from the evaluator's class probabilities. It lies between 1 (every sample of one
class, or every prediction unsure) and the number of classes K (confident predictions,
spread evenly over the classes).
"""

from __future__ import annotations

import numpy as np

EPS = 1e-12


def classifier_score(probs: np.ndarray) -> float:
    """CS of class probabilities (n, K) (rows sum to 1)."""
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] < 1:
        raise ValueError(f"need probabilities shaped (n, K), got {p.shape}")
    marginal = p.mean(axis=0, keepdims=True)
    kl = (p * (np.log(p + EPS) - np.log(marginal + EPS))).sum(axis=1)
    return float(np.exp(kl.mean()))
