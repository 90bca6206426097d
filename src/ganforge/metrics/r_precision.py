"""R-precision and caption similarity: how well images match their captions, in the joint
space of an image-text encoder (metrics.contrastive) fitted on the data set.

R-precision, the protocol of AttnGAN (Xu et al. 2018) and DF-GAN (Tao et al. 2022) with
R = 1: for each image i, its own caption and 99 captions of other images are the 100
candidates; the image is a hit when its own caption has the highest cosine similarity of the
100. The figure is the share of hits (chance 1/100). ganforge's choices, stated once:

- candidates: `candidates - 1` rows j != i drawn without replacement with the seed, among
  the rows whose key differs from row i's key. The key is the caption's text by default, so
  a candidate whose caption is word for word the image's own (synthetic-flowers has many:
  "the flower has eight petals") is never drawn: its vector is the same, and counting it
  would make a hit a coin toss. Passing the class as key also leaves out every caption of
  the image's class (used where a caption names the whole class, e.g. the whole-species
  captions of synthetic-flowers, whose same-species captions say the same in other words);
- ties: a hit needs the true caption strictly above every other candidate (a tie is a miss);
- n: every image scored (the papers use 30,000 images, ten times 3,000); the result says n,
  the candidate count and the binomial standard error sqrt(p (1 - p) / n).

Caption similarity: the mean cosine between each image's embedding and its own caption's
(CLIP-score's analogue in ganforge's encoder, without CLIP-score's rescaling), in [-1, 1].

Both are pure functions of embeddings (or of a similarity matrix); the encoder gives the
embeddings. The ceiling of each is the same figure for the real images of the captions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

CANDIDATES = 100  # the true caption and 99 others, as in the papers


def normalise_rows(x: np.ndarray) -> np.ndarray:
    """Rows of (n, d) scaled to unit length (a zero row stays zero)."""
    x = np.asarray(x, dtype=np.float64)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def candidate_rows(keys: Sequence[Any], candidates: int = CANDIDATES, seed: int = 0
                   ) -> np.ndarray:
    """(n, candidates) int64 rows of captions: column 0 is row i itself, the others
    `candidates - 1` distinct rows whose key differs from keys[i], drawn with `seed`. A
    ValueError when some row has fewer such rows than that."""
    codes = np.unique(np.asarray([str(k) for k in keys]), return_inverse=True)[1].ravel()
    n, others = len(codes), candidates - 1
    if candidates < 2:
        raise ValueError(f"R-precision needs at least 2 candidates, got {candidates}")
    rng = np.random.default_rng(seed)
    out = np.empty((n, candidates), dtype=np.int64)
    out[:, 0] = np.arange(n)
    pools: dict[int, np.ndarray] = {}
    for i in range(n):
        code = int(codes[i])
        if code not in pools:
            pools[code] = np.flatnonzero(codes != code)
        pool = pools[code]
        if len(pool) < others:
            raise ValueError(f"R-precision among {candidates}: row {i} has only {len(pool)} "
                             f"captions with another key (needs {others})")
        out[i, 1:] = rng.choice(pool, size=others, replace=False)
    return out


def hits(similarity: np.ndarray) -> np.ndarray:
    """(n,) bool from (n, C) similarities of each image to its C candidates, column 0 its
    own caption: whether column 0 is strictly above every other column."""
    s = np.asarray(similarity, dtype=np.float64)
    return s[:, 0] > s[:, 1:].max(axis=1)


def r_precision_of(similarity: np.ndarray) -> float:
    """R-precision (R = 1) of (n, C) candidate similarities, column 0 the true caption."""
    return float(np.mean(hits(similarity)))


def candidate_similarity(image_emb: np.ndarray, text_emb: np.ndarray, rows: np.ndarray
                         ) -> np.ndarray:
    """(n, C) cosine of image i with caption rows[i, c] (image_emb (n, d), text_emb (m, d))."""
    img, txt = normalise_rows(image_emb), normalise_rows(text_emb)
    return np.einsum("nd,ncd->nc", img, txt[rows])


def r_precision(image_emb: np.ndarray, text_emb: np.ndarray, keys: Sequence[Any] | None = None,
                candidates: int = CANDIDATES, seed: int = 0) -> dict[str, Any]:
    """R-precision of images (n, d) with their captions (n, d), row i caption of image i;
    candidates never share row i's key in `keys` (n,): the caption strings leave out word
    for word the same caption, the classes every caption of the class; None: any other row
    may be drawn. Where no row has `candidates - 1` others (a small set), the count drops
    to what every row has (the result says how many were used)."""
    n = len(image_emb)
    if len(text_emb) != n:
        raise ValueError(f"{n} images but {len(text_emb)} captions")
    keys = list(range(n)) if keys is None else list(keys)
    count = min(candidates, n)
    while True:  # few distinct keys: fewer candidates, stated in the result
        try:
            rows = candidate_rows(keys, count, seed)
            break
        except ValueError:
            if count <= 2:
                raise
            count -= 1
    p = r_precision_of(candidate_similarity(image_emb, text_emb, rows))
    return {"r_precision": p, "stderr": float(np.sqrt(p * (1 - p) / max(1, n))),
            "candidates": count, "n": n, "chance": 1 / count}


def caption_similarity(image_emb: np.ndarray, text_emb: np.ndarray) -> float:
    """Mean cosine of image i's embedding with its caption's (row i of each)."""
    img, txt = normalise_rows(image_emb), normalise_rows(text_emb)
    return float(np.mean(np.sum(img * txt, axis=1)))
