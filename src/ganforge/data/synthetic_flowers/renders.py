"""Flowers of any attribute combination, drawn for the evaluator's attribute heads alone.

The 102 species tie the attributes together: in the data set, pink petals come with a few
centre colours only. A head trained on the data set's images alone learns those ties, and
then reads a flower whose combination no species has by its nearest species (the shipped
evaluator's first heads read the centre colour of such flowers right half of the time).
These renders draw every attribute at random (petal and centre colours still standing out),
so a head fitted on them reads each attribute on its own. They are never training images of
a GAN: `ganforge train` sees the 102 species only.

Images go through the data set's own JPEG encoding, so they look like its files. Each
render's look (size, position, shade, background) comes from its own random stream, as the
data set's images do, from ids past the data set's.
"""

from __future__ import annotations

import io

import numpy as np

from ganforge.data.synthetic_flowers.draw import draw
from ganforge.data.synthetic_flowers.params import sample_params
from ganforge.data.synthetic_flowers.species import ATTRIBUTES, VALUES, Species, all_species
from ganforge.data.synthetic_flowers.unseen import around, unseen_pairs

FIRST_ID = 1_000_000  # render ids start here, past the data set's 8,189 images
PER_SEED = 1_000_000  # ids a seed may use
CHUNK = 512  # images drawn at once (bounds the drawing arrays to some 100 MB)


def _species(attributes: dict[str, object]) -> Species:
    return Species(str(attributes["petal_colour"]), str(attributes["centre_colour"]),
                   int(attributes["petal_count"]), str(attributes["petal_shape"]))  # type: ignore[call-overload]


def _combinations(n: int, rng: np.random.Generator, new_only: bool) -> list[Species]:
    """n species-like combinations drawn at random; new_only: each has one of
    `unseen_pairs()` and is no species."""
    pairs, known = unseen_pairs(), set(all_species())
    out: list[Species] = []
    while len(out) < n:
        fixed = dict(pairs[int(rng.integers(len(pairs)))]) if new_only else {}
        species = _species(around(fixed, rng))
        if not (new_only and species in known):
            out.append(species)
    return out


def _jpeg_round_trip(images: np.ndarray) -> np.ndarray:
    """uint8 (n, S, S, 3) -> the same images after the data set's JPEG encoding."""
    from PIL import Image

    from ganforge.data.synthetic_flowers.make import encode_jpeg

    return np.stack([np.asarray(Image.open(io.BytesIO(encode_jpeg(im))).convert("RGB"))
                     for im in images])


def renders(n: int, seed: int, new_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """n flowers of random attribute combinations, drawn with `seed`: uint8 images
    (n, 3, 64, 64) and their attribute levels (n, A) int64 in ATTRIBUTES order. new_only:
    only combinations no species has, each with a pair of `unseen_pairs()` (for measuring a
    head on what the data set never shows)."""
    if not 0 <= n <= PER_SEED:
        raise ValueError(f"renders: n must be 0 to {PER_SEED}, got {n}")
    rng = np.random.default_rng([seed, int(new_only)])
    base = FIRST_ID + (2 * seed + int(new_only)) * PER_SEED
    params = [sample_params(base + i, s) for i, s in
              enumerate(_combinations(n, rng, new_only))]
    images = [_jpeg_round_trip(draw(params[i : i + CHUNK])) for i in range(0, n, CHUNK)]
    truth = np.array([[VALUES[a].index(p.size if a == "size" else getattr(p.species, a))
                       for a in ATTRIBUTES] for p in params], dtype=np.int64)
    pixels = np.concatenate(images) if images else np.zeros((0, 64, 64, 3), np.uint8)
    return np.ascontiguousarray(pixels.transpose(0, 3, 1, 2)), truth.reshape(n, len(ATTRIBUTES))
