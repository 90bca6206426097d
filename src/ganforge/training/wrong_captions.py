"""Hard mismatched captions: for each image of a batch, a caption of its own class that says
something false of it, so that D must read more of a caption than its class.

With the attribute levels a data set's captions state (`levels` (N, K, A), -1 = unstated;
the composed MNIST sets), an image's known levels are those its own captions state (every
statement is true of its picture), and a caption contradicts the image when it states at
least one attribute at another level than the image's. The wrong caption is drawn
uniformly among the captions of the image's class that contradict it. Without levels (real
flowers), or when no caption of the class contradicts the image, it is a random caption of
another image of the same class.

Draws come from the batch source's caption generator, whose state every checkpoint saves,
so runs are repeatable and resume bit-identically.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ganforge.errors import ConfigError


@dataclass(frozen=True)
class WrongCaptions:
    """Index tables over the N images and their K captions (all on the CPU)."""

    labels: torch.Tensor  # (N,) classes
    captions: int  # K
    by_class: torch.Tensor  # (N,) image indices sorted by class
    class_start: torch.Tensor  # (C,) where each class begins in by_class
    class_count: torch.Tensor  # (C,)
    rank: torch.Tensor  # (N,) each image's position inside its class
    # with levels: captions grouped by (class, signature of the levels they state)
    profile: torch.Tensor | None = None  # (N,) signature of each image's known levels
    contradicts: torch.Tensor | None = None  # (S, S) profile p, caption signature s -> bool
    group_start: torch.Tensor | None = None  # (C, S) offsets into sorted
    group_count: torch.Tensor | None = None  # (C, S)
    sorted: torch.Tensor | None = None  # (N * K,) flat caption ids sorted by (class, signature)

    @classmethod
    def build(cls, labels: torch.Tensor, captions: int, levels: np.ndarray | None = None
              ) -> WrongCaptions:
        labels = labels.cpu().long()
        classes = int(labels.max()) + 1
        by_class = torch.argsort(labels, stable=True)
        count = torch.bincount(labels, minlength=classes)
        if bool((count == 1).any()):
            lonely = int(torch.nonzero(count == 1)[0])
            raise ConfigError(f"hard_mismatch needs at least two images of each class; class "
                              f"{lonely} has one (raise --limit)")
        start = torch.cumsum(count, 0) - count
        rank = torch.empty_like(labels)
        rank[by_class] = torch.arange(len(labels)) - start[labels[by_class]]
        tables = {} if levels is None else _level_tables(labels, levels, classes)
        return cls(labels, captions, by_class, start, count, rank, **tables)

    def draw(self, indices: torch.Tensor, generator: torch.Generator
             ) -> tuple[torch.Tensor, torch.Tensor]:
        """(image rows, caption numbers, on the CPU) of one wrong caption for each image in
        `indices`. The tables and the generator live on the CPU: pass CPU indices (the batch
        source's `host_indices`); indices on a GPU are copied back, which waits for it."""
        indices = indices.cpu()
        rows, ks = self._same_class(indices, generator)
        if self.profile is None:
            return rows, ks
        hard_rows, hard_ks, found = self._contradicting(indices, generator)
        return torch.where(found, hard_rows, rows), torch.where(found, hard_ks, ks)

    def _same_class(self, indices: torch.Tensor, generator: torch.Generator
                    ) -> tuple[torch.Tensor, torch.Tensor]:
        """A random caption of another image of the same class."""
        c = self.labels[indices]
        others = self.class_count[c] - 1
        r = _below(others, generator)
        r = r + (r >= self.rank[indices]).long()  # skip the image itself
        rows = self.by_class[self.class_start[c] + r]
        return rows, torch.randint(self.captions, (len(indices),), generator=generator)

    def _contradicting(self, indices: torch.Tensor, generator: torch.Generator
                       ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """A random caption of the class that contradicts the image, and whether one exists."""
        c = self.labels[indices]
        weights = (self.group_count[c] * self.contradicts[self.profile[indices]]).float()
        found = weights.sum(1) > 0
        weights[~found] = 1.0  # drawn but not used
        s = torch.multinomial(weights, 1, generator=generator).squeeze(1)
        n = self.group_count[c, s]
        flat = self.sorted[self.group_start[c, s] + _below(n, generator)]
        return flat // self.captions, flat % self.captions, found


def _below(n: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """A uniform integer in 0..n-1 per element of n (0 where n is 0)."""
    u = torch.rand(n.shape, generator=generator, dtype=torch.float64)
    return torch.minimum((u * n).long(), (n - 1).clamp(min=0))


def _signatures(levels: np.ndarray, base: int) -> np.ndarray:
    """Levels (..., A) in -1..base-2 -> one integer per row, sum_a (level_a + 1) * base^a."""
    powers = base ** np.arange(levels.shape[-1])
    return ((levels.astype(np.int64) + 1) * powers).sum(-1)


def _level_tables(labels: torch.Tensor, levels: np.ndarray, classes: int) -> dict:
    n, k, a = levels.shape
    base = int(levels.max()) + 2  # level values -1..max
    signatures = base ** a
    known = levels.max(axis=1)  # (N, A): a caption's statements are true of its image
    digits = (np.arange(signatures)[:, None] // base ** np.arange(a)) % base - 1  # (S, A)
    stated = digits >= 0
    clash = stated[:, None] & stated[None] & (digits[:, None] != digits[None])  # (S, S, A)
    sig = _signatures(levels, base).reshape(-1)  # (N * K,)
    key = np.repeat(labels.numpy(), k) * signatures + sig
    order = np.argsort(key, kind="stable")
    count = np.bincount(key, minlength=classes * signatures).reshape(classes, signatures)
    start = (np.cumsum(count.reshape(-1)) - count.reshape(-1)).reshape(classes, signatures)
    return {"profile": torch.from_numpy(_signatures(known, base)),
            "contradicts": torch.from_numpy(clash.any(-1)),
            "group_start": torch.from_numpy(start), "group_count": torch.from_numpy(count),
            "sorted": torch.from_numpy(order)}
