"""Feature spread: how much the generated images differ from each other, against how much
the real ones do, in the evaluator's features. The mean Euclidean distance between two
generated images' features, divided by the same for as many test-split images: 1 when the
samples vary as the data does, 0 when the generator draws one image whatever its noise (the
collapse precision misses). It is the collapse figure of a data set with no classes to
count (a self-supervised evaluator's): coverage needs classes, and recall needs features in
which generated images can land among the real ones.

features (n, d) -> statistics: their spread (on at most MAX_ROWS rows) -> score: the ratio.
"""

from __future__ import annotations

import numpy as np

from ganforge.metrics.caption_variety import spread

MAX_ROWS = 2_000  # the pairs of 2,000 rows (2 million) pin the mean; a (n, n) matrix above


def spread_statistics(features: np.ndarray) -> float:
    """The spread of the first MAX_ROWS rows (samples come in random order)."""
    return spread(np.asarray(features)[:MAX_ROWS])


def spread_ratio(generated: float, real: float) -> float:
    """The generated spread over the real one (0 when the real images do not differ)."""
    return float(generated / real) if real > 0 else 0.0
