"""Attributes measured on 28x28 grey images: what the captions of the MNIST sets describe, and
what attribute alignment measures again on generated images (the same code for both).

Each attribute is a number per image, cut into three levels (0 low, 1 middle, 2 high) by the
tertiles of the image's class in the training split, so every class has thin and thick,
upright and slanted members. The cut points below were measured on the training splits with
`python -m ganforge.data.captioned.attributes` (see docs/text-to-image.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ganforge.data.dataset import load_idx
from ganforge.data.registry import lookup

INK = 0.25  # a pixel belongs to the object when its intensity (0..1) exceeds this
CHUNK = 8192  # images measured at once (bounds the memory of the temporaries)

def _moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Intensity-weighted central moments mu20, mu02, mu11 of images x (n, H, W) in 0..1."""
    _, h, w = x.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    total = x.sum((1, 2)) + 1e-6
    cx = (x * xs).sum((1, 2)) / total
    cy = (x * ys).sum((1, 2)) / total
    dx = xs[None] - cx[:, None, None]  # (n, H, W)
    dy = ys[None] - cy[:, None, None]
    mu20 = (x * dx * dx).sum((1, 2)) / total
    mu02 = (x * dy * dy).sum((1, 2)) / total
    mu11 = (x * dx * dy).sum((1, 2)) / total
    return mu20, mu02, mu11


def _measure_chunk(images: np.ndarray) -> dict[str, np.ndarray]:
    x = images.astype(np.float32) / 255.0  # (n, H, W)
    mask = x > INK
    area = mask.sum((1, 2)).astype(np.float32)
    p = np.pad(mask, ((0, 0), (1, 1), (1, 1)))
    inside = p[:, 1:-1, 1:-1] & p[:, :-2, 1:-1] & p[:, 2:, 1:-1] & p[:, 1:-1, :-2] & p[:, 1:-1, 2:]
    perimeter = (mask & ~inside).sum((1, 2)).astype(np.float32)
    mu20, mu02, mu11 = _moments(x)
    return {
        # stroke width ~ area / (half the outline): a stroke of width w and length L has
        # area w*L and an outline of about 2L pixels
        "thickness": 2.0 * area / np.maximum(perimeter, 1.0),
        # shear of the ink: > 0 when the top leans right (image rows grow downwards)
        "slant": -mu11 / np.maximum(mu02, 1e-6),
        "width": np.sqrt(np.maximum(mu20, 0.0)),  # horizontal spread, in pixels
        "brightness": (x * mask).sum((1, 2)) / np.maximum(area, 1.0),  # mean ink intensity
        "size": area / float(mask.shape[1] * mask.shape[2]),  # share of the frame covered
    }


def measure(images: Any, names: tuple[str, ...]) -> np.ndarray:
    """Attributes `names` of grey images (N, 28, 28) or (N, 1, 28, 28), uint8 0..255 or float
    in [-1, 1] (a generator's output): a float32 array (N, len(names))."""
    array = images.detach().cpu().numpy() if hasattr(images, "detach") else np.asarray(images)
    if array.ndim == 4:
        array = array[:, 0]
    if array.dtype != np.uint8:  # [-1, 1] -> 0..255, as the images would be saved
        array = np.round((np.clip(array, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)
    out = np.empty((len(array), len(names)), dtype=np.float32)
    for start in range(0, len(array), CHUNK):
        values = _measure_chunk(array[start : start + CHUNK])
        for j, name in enumerate(names):
            out[start : start + CHUNK, j] = values[name]
    return out


LEVELS = 3  # low, middle, high: each attribute cut at its per-class tertiles


def levels(values: np.ndarray, labels: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Levels 0/1/2 (int8, (N, A)) of measured `values` (N, A) for images of classes `labels`
    (N,), given cut points `cuts` (classes, A, 2)."""
    per_image = cuts[np.asarray(labels)]  # (N, A, 2)
    return ((values[..., None] > per_image).sum(-1)).astype(np.int8)


def tertile_cuts(values: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Cut points (classes, A, 2): the 1/3 and 2/3 quantiles of each attribute per class."""
    cuts = np.zeros((num_classes, values.shape[1], 2), dtype=np.float32)
    for c in range(num_classes):
        cuts[c] = np.quantile(values[labels == c], [1 / 3, 2 / 3], axis=0).T
    return cuts


def main() -> None:
    """Print the cut points measured on the training splits (to refresh attribute_cuts.py)."""
    from ganforge.data.registry import data_sets, resolve

    for entry in data_sets().values():
        if entry.composed is None or entry.base is None:
            continue
        names = resolve(entry.composed).attributes
        data = load_idx(lookup(entry.base), "train")
        values = measure(data.images.numpy(), names)
        cuts = tertile_cuts(values, data.labels.numpy(), len(data.classes))
        rows = ",\n".join(f"    {[[round(float(v), 4) for v in a] for a in c]}" for c in cuts)
        print(f"{entry.name}: [  # {', '.join(names)}\n{rows},\n]")


if __name__ == "__main__":
    main()
