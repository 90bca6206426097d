"""Per-caption variety: how much the images drawn for one caption differ from each other,
against how much real images that fit the caption differ. For each group (one caption's
generated images, and the real images it describes, e.g. the test images of the species a
whole-species caption names): the mean pairwise Euclidean distance of their evaluator
features; the score of a group is generated / real. 1 means the generator varies as much as
the data within a caption; near 0, it draws one image per caption whatever the noise.

features (n, d) and group ids -> per-group spread -> ratio per group, and its mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def spread(features: np.ndarray) -> float:
    """Mean Euclidean distance over the distinct pairs of rows (0 for fewer than 2 rows)."""
    x = np.asarray(features, dtype=np.float64)
    if len(x) < 2:
        return 0.0
    squared = (x * x).sum(1)
    d2 = np.maximum(squared[:, None] + squared[None, :] - 2.0 * x @ x.T, 0.0)
    upper = np.triu_indices(len(x), k=1)
    return float(np.sqrt(d2[upper]).mean())


@dataclass(frozen=True)
class CaptionVariety:
    ratios: np.ndarray  # (G,) generated spread / real spread, per group
    generated: np.ndarray  # (G,) spread of each group's generated images
    real: np.ndarray  # (G,) spread of each group's real images

    @property
    def mean(self) -> float:
        return float(self.ratios.mean())

    def share_at_least(self, level: float) -> float:
        """The share of groups whose ratio is at least `level`."""
        return float((self.ratios >= level).mean())


def caption_variety(generated: np.ndarray, generated_groups: np.ndarray, real: np.ndarray,
                    real_groups: np.ndarray) -> CaptionVariety:
    """The spread ratio of every group present on both sides with at least two images each
    (groups of one image are left out: they have no pairs)."""
    gen_ids, real_ids = np.asarray(generated_groups), np.asarray(real_groups)
    groups = [g for g in np.unique(gen_ids)
              if (gen_ids == g).sum() >= 2 and (real_ids == g).sum() >= 2]
    if not groups:
        raise ValueError("caption variety needs a group with two generated and two real images")
    gen = np.array([spread(generated[gen_ids == g]) for g in groups])
    ref = np.array([spread(real[real_ids == g]) for g in groups])
    return CaptionVariety(gen / np.maximum(ref, 1e-12), gen, ref)
