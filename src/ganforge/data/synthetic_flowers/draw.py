"""Drawing a batch of synthetic flowers at once with numpy: a textured green background, a
centre disc, then K petals over the disc's edge, with soft shading and anti-aliased edges.

Coverage (alpha) comes from a signed distance in pixels, d -> clip(d + 0.5, 0, 1), so every
edge is anti-aliased. Each pixel is tested against the two petal axes around it only (a petal
is never wider than the gap between two axes), which keeps the arrays at (n, 64, 64).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ganforge.data.synthetic_flowers.params import LEAVES, SIZE, FlowerParams
from ganforge.data.synthetic_flowers.species import SEED, SHAPES

BASE = 0.7  # petals start at this share of the disc radius: over its edge, not its middle
MAX_GREEN = 135  # background green stays below this (the rule is < 150)
GREEN_MARGIN = 38  # background red and blue stay this far below its green (the rule is 15;
# the rest is room for JPEG error at the leaves' edges)
# Petal shape -> (half-width as a share of half the gap between axes, cap as a share of length)
WIDTHS = {"round": (0.75, 0.42), "pointed": (0.8, 0.3), "thin": (0.3, 0.09)}


def _column(values: Sequence[float]) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)[:, None, None]  # (n, 1, 1)


def _grid() -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    return xs[None], ys[None]  # (1, S, S) each


def _upsample(coarse: np.ndarray) -> np.ndarray:
    """(n, c, c) -> (n, S, S) by bilinear interpolation."""
    c = coarse.shape[-1]
    pos = np.linspace(0, c - 1, SIZE, dtype=np.float32)
    lo = np.minimum(pos.astype(int), c - 2)
    w = np.zeros((SIZE, c), dtype=np.float32)
    w[np.arange(SIZE), lo] = 1 - (pos - lo)
    w[np.arange(SIZE), lo + 1] = pos - lo
    return w @ coarse.astype(np.float32) @ w.T


def _leaves(leaves: np.ndarray) -> np.ndarray:
    """Lightness change (n, S, S) of the leaf shapes (n, LEAVES, 6): lens-shaped, shaded."""
    xs, ys = _grid()
    out = np.zeros((len(leaves), SIZE, SIZE), dtype=np.float32)
    leaves = leaves.astype(np.float32)
    for j in range(LEAVES):
        x, y, angle, a, b, strength = (leaves[:, j, i][:, None, None] for i in range(6))
        dx, dy = xs - x, ys - y
        u = dx * np.cos(angle) + dy * np.sin(angle)
        v = -dx * np.sin(angle) + dy * np.cos(angle)
        half = b * np.clip(1 - (u / a) ** 2, 0, 1)  # lens: widest in the middle
        inside = np.clip((half - np.abs(v)) / 2 + 0.5, 0, 1)  # a soft 2 px edge
        out += strength * inside * (0.6 + 0.4 * np.clip(u / a + 0.5, 0, 1))
    return out


def background(params: Sequence[FlowerParams], shadow: np.ndarray) -> np.ndarray:
    """Foliage (n, S, S, 3) float: greens only, G < MAX_GREEN and R, B <= G - GREEN_MARGIN."""
    noise = np.stack([p.noise for p in params])  # (n, 2, 9, 9)
    fine = _upsample(np.repeat(np.repeat(noise[:, 1], 2, -1), 2, -2)[:, :17, :17])
    light = 0.5 + 0.16 * _upsample(noise[:, 0]) + 0.07 * fine
    light += _leaves(np.stack([p.leaves for p in params]))
    light = np.clip(light - 0.35 * shadow, 0, 1)
    green = 60 + (MAX_GREEN - 60) * light
    tint = np.array([p.tint for p in params], dtype=np.float32)[:, None, None]  # (n,1,1,2)
    red = np.minimum(green * tint[..., 0] + 8 * fine, green - GREEN_MARGIN)
    blue = np.minimum(green * tint[..., 1], green - GREEN_MARGIN)
    return np.stack([np.maximum(red, 0), green, np.maximum(blue, 0)], axis=-1)


def _profile(p: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """Half-width (share of the widest) along a petal, p = 0 at its base, 1 at its tip."""
    q = np.clip(p, 0, 1)
    ends = np.sqrt(np.clip(1 - ((q - 0.6) / 0.4) ** 2, 0, 1))
    rounded = np.where(q < 0.6, 0.55 + 0.45 * q / 0.6, ends)  # a spatula: wide round end
    pointed = np.where(q < 0.45, (q / 0.45) ** 0.6, (1 - q) / 0.55)  # a lance: sharp tip
    thin = np.sqrt(np.clip(1 - (2 * q - 1) ** 8, 0, 1))  # a strap with rounded ends
    return np.select([shape == 0, shape == 1], [rounded, pointed], thin)


def petals(params: Sequence[FlowerParams], r: np.ndarray, phi: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    """Coverage (n, S, S) of the petals and their shading (n, S, S)."""
    k = _column([p.species.petal_count for p in params])
    gap = 2 * np.pi / k
    base = BASE * _column([p.disc_radius for p in params])
    length = _column([p.radius for p in params]) - base
    shape = _column([SHAPES.index(p.species.petal_shape) for p in params])
    share = np.select([shape == 0, shape == 1], [WIDTHS[s][0] for s in ("round", "pointed")],
                      WIDTHS["thin"][0])
    cap = np.select([shape == 0, shape == 1], [WIDTHS[s][1] for s in ("round", "pointed")],
                    WIDTHS["thin"][1])
    widest = np.maximum(np.minimum(share * (base + 0.55 * length) * gap / 2, cap * length), 1.1)
    u = np.mod(phi - _column([p.rotation for p in params]), 2 * np.pi) / gap
    index = np.floor(u)
    alpha = np.zeros_like(r)
    shade = np.ones_like(r)
    for side, offset in ((u - index, 0.0), (index + 1 - u, 1.0)):
        angle = side * gap
        s, t = r * np.cos(angle), np.abs(r * np.sin(angle))
        p = (s - base) / length
        half = widest * _profile(p, shape)
        dist = np.minimum(half - t, np.minimum(s - base, length + base - s) * 2)
        a = np.clip(dist + 0.5, 0, 1) * (p > -0.05)
        own = 1.0 + 0.03 * np.cos(2.4 * (index + offset))  # each petal a little apart
        light = own * (0.94 + 0.1 * np.clip(p, 0, 1) - 0.1 * (t / np.maximum(half, 0.5)) ** 2)
        light = light * (1 - 0.1 * np.clip(1 - dist / 1.5, 0, 1))  # a darker rim
        shade = np.where(a > alpha, light, shade)
        alpha = np.maximum(alpha, a)
    return alpha, shade


def draw(params: Sequence[FlowerParams]) -> np.ndarray:
    """The images of `params`: uint8 (n, S, S, 3)."""
    xs, ys = _grid()
    dx, dy = xs - _column([p.cx for p in params]), ys - _column([p.cy for p in params])
    r, phi = np.hypot(dx, dy), np.arctan2(dy, dx)
    disc = _column([p.disc_radius for p in params])
    alpha, shade = petals(params, r, phi)
    disc_alpha = np.clip(disc - r + 0.5, 0, 1)
    cover = np.maximum(alpha, disc_alpha)
    shadow = 0.5 * (np.roll(cover, (1, 1), (1, 2)) + np.roll(cover, (2, 2), (1, 2)))
    image = background(params, shadow)
    stipple = np.stack([np.random.default_rng([SEED, p.image_id, 2]).uniform(
        -0.06, 0.06, size=(SIZE, SIZE)).astype(np.float32) for p in params])  # the disc's grain
    disc_light = (1.04 - 0.16 * (r / disc) ** 2 + stipple)[..., None]
    centre = np.array([p.centre_rgb for p in params], dtype=np.float32)[:, None, None]
    image = image * (1 - disc_alpha[..., None]) + centre * disc_light * disc_alpha[..., None]
    petal = np.array([p.petal_rgb for p in params], dtype=np.float32)[:, None, None]
    image = image * (1 - alpha[..., None]) + petal * shade[..., None] * alpha[..., None]
    return np.clip(np.round(image), 0, 255).astype(np.uint8)
