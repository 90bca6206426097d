"""What varies from image to image within a species: size, position, rotation, shade and the
background's look. Each image's values come from its own random stream (the set's seed and
the image id), so any subset of the set can be drawn alone and comes out the same."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganforge.data.synthetic_flowers.species import (
    CENTRE_COLOURS,
    PETAL_COLOURS,
    SEED,
    SIZE_RADII,
    SIZES,
    Species,
)

SIZE = 64
CENTRE = (SIZE - 1) / 2  # the image centre, in pixel coordinates
MAX_OFFSET = 2.0  # the flower's centre lies within this many px of the image centre (x and y)
JITTER = 12  # per-channel shade jitter of the petal and centre colours
MIN_DISC = 5.5  # the centre disc's least radius (px)
DISC_RATIO = (0.2, 0.33)  # disc radius / petal-tip radius
LEAVES = 8  # leaf shapes in each background


@dataclass(frozen=True)
class FlowerParams:
    """Everything needed to draw one image (lengths in px, angles in radians)."""

    image_id: int
    species: Species
    size: str
    cx: float
    cy: float
    radius: float  # petal-tip radius
    disc_radius: float
    rotation: float
    petal_rgb: tuple[int, int, int]
    centre_rgb: tuple[int, int, int]
    tint: tuple[float, float]  # background red and blue, as shares of its green
    noise: np.ndarray  # (2, 9, 9) coarse noise of the background's lightness
    leaves: np.ndarray  # (LEAVES, 6): x, y, angle, half-length, half-width, signed strength

    def geometry(self) -> dict[str, float]:
        return {"cx": round(self.cx, 4), "cy": round(self.cy, 4),
                "radius": round(self.radius, 4), "disc_radius": round(self.disc_radius, 4),
                "rotation": round(self.rotation, 6)}


def _shade(rng: np.random.Generator, rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    jitter = rng.integers(-JITTER, JITTER + 1, size=3)
    return tuple(int(v) for v in np.clip(np.array(rgb) + jitter, 0, 255))


def sample_params(image_id: int, species: Species) -> FlowerParams:
    """The parameters of image `image_id` (1-based) of `species`."""
    rng = np.random.default_rng([SEED, image_id])
    size = SIZES[int(rng.integers(len(SIZES)))]
    radius = float(rng.uniform(*SIZE_RADII[size]))
    ratio = float(rng.uniform(max(DISC_RATIO[0], MIN_DISC / radius), DISC_RATIO[1]))
    cx, cy = CENTRE + rng.uniform(-MAX_OFFSET, MAX_OFFSET, size=2)
    leaves = np.column_stack([
        rng.uniform(0, SIZE, (LEAVES, 2)), rng.uniform(0, np.pi, LEAVES),
        rng.uniform(7, 16, LEAVES), rng.uniform(2.5, 5.5, LEAVES),
        rng.choice([-1.0, 1.0], LEAVES) * rng.uniform(0.12, 0.3, LEAVES)])
    return FlowerParams(
        image_id=image_id, species=species, size=size, cx=float(cx), cy=float(cy),
        radius=radius, disc_radius=ratio * radius,
        rotation=float(rng.uniform(0, 2 * np.pi / species.petal_count)),
        petal_rgb=_shade(rng, PETAL_COLOURS[species.petal_colour]),
        centre_rgb=_shade(rng, CENTRE_COLOURS[species.centre_colour]),
        tint=(float(rng.uniform(0.3, 0.7)), float(rng.uniform(0.2, 0.6))),
        noise=rng.standard_normal((2, 9, 9)).astype(np.float32), leaves=leaves)
