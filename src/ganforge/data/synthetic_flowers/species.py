"""The vocabulary of the synthetic flowers: the attribute values, their named colours, and
the 102 species (each a fixed petal colour, centre colour, petal count and petal shape).

The class sizes and split sizes are those of Oxford 102 (read from its imagelabels.mat and
setid.mat): 10 training (trnid) and 10 validation (valid) images per class, the rest tstid.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

NAME = "synthetic-flowers"
SEED = 102  # every image, caption and species of the set derives from this seed

PETAL_COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (200, 30, 40), "pink": (240, 130, 180), "purple": (130, 60, 170),
    "blue": (60, 90, 210), "white": (240, 240, 235), "yellow": (245, 210, 40),
    "orange": (245, 130, 30),
}
CENTRE_COLOURS: dict[str, tuple[int, int, int]] = {
    "yellow": (230, 190, 30), "orange": (235, 120, 20), "brown": (110, 60, 20),
    "black": (30, 25, 20), "white": (240, 240, 235), "green": (90, 160, 60),
}
COUNTS = (4, 5, 6, 8, 12)
SHAPES = ("round", "pointed", "thin")
SIZES = ("small", "medium", "large")
# Petal-tip radius (px) of each size; the gaps keep the sizes apart.
SIZE_RADII = {"small": (18.0, 21.0), "medium": (22.0, 24.5), "large": (25.5, 28.0)}

# The attributes of an image, in the order of `levels` arrays, and each one's values.
ATTRIBUTES = ("petal_colour", "centre_colour", "petal_count", "petal_shape", "size")
VALUES: dict[str, tuple] = {
    "petal_colour": tuple(PETAL_COLOURS), "centre_colour": tuple(CENTRE_COLOURS),
    "petal_count": COUNTS, "petal_shape": SHAPES, "size": SIZES,
}

# Images per class of Oxford 102 (label 1 first): 8,189 in all.
CLASS_SIZES = (
    40, 60, 40, 56, 65, 45, 40, 85, 46, 45, 87, 87, 49, 48, 49, 41, 85, 82, 49, 56, 40, 59,
    91, 42, 41, 41, 40, 66, 78, 85, 52, 45, 46, 40, 43, 75, 108, 56, 41, 67, 127, 59, 130,
    93, 40, 196, 67, 71, 49, 92, 258, 85, 93, 61, 71, 109, 67, 114, 67, 109, 50, 55, 54, 52,
    102, 61, 42, 54, 54, 62, 78, 96, 194, 171, 120, 107, 251, 137, 41, 105, 166, 112, 131,
    86, 63, 58, 63, 154, 184, 82, 76, 66, 46, 162, 128, 91, 66, 82, 63, 49, 58, 48,
)
PER_CLASS = {"trnid": 10, "valid": 10}  # the rest of each class is tstid
MIN_CONTRAST = 90.0  # least RGB distance between a species' petal and centre colours

COUNT_WORDS = {4: "four", 5: "five", 6: "six", 8: "eight", 12: "twelve"}


@dataclass(frozen=True)
class Species:
    petal_colour: str
    centre_colour: str
    petal_count: int
    petal_shape: str

    @property
    def name(self) -> str:
        """A readable name, e.g. "pink pointed five-petal, yellow eye"."""
        return (f"{self.petal_colour} {self.petal_shape} {COUNT_WORDS[self.petal_count]}-petal,"
                f" {self.centre_colour} eye")


def _contrast(petal: str, centre: str) -> float:
    a, b = np.array(PETAL_COLOURS[petal]), np.array(CENTRE_COLOURS[centre])
    return float(np.linalg.norm(a - b))


def stands_out(petal: str, centre: str) -> bool:
    """Whether a disc of colour `centre` stands out from `petal` petals (a species may
    combine them)."""
    return _contrast(petal, centre) >= MIN_CONTRAST


def all_species() -> tuple[Species, ...]:
    """The 102 species, in label order: distinct combinations whose disc stands out from the
    petals, drawn with the set's seed."""
    combos = [Species(p, c, k, s) for p, c, k, s in itertools.product(
        PETAL_COLOURS, CENTRE_COLOURS, COUNTS, SHAPES) if stands_out(p, c)]
    rng = np.random.default_rng(SEED)
    pick = rng.choice(len(combos), size=len(CLASS_SIZES), replace=False)
    return tuple(combos[i] for i in pick.tolist())


def class_names() -> tuple[str, ...]:
    return tuple(s.name for s in all_species())


def labels_and_splits() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Labels 1..102 of images 1..8189 (shuffled with the seed), and the 1-based image ids
    of trnid, valid and tstid."""
    rng = np.random.default_rng(SEED)
    labels = rng.permutation(np.repeat(np.arange(1, len(CLASS_SIZES) + 1), CLASS_SIZES))
    splits: dict[str, list[int]] = {"trnid": [], "valid": [], "tstid": []}
    for label in range(1, len(CLASS_SIZES) + 1):
        ids = np.flatnonzero(labels == label) + 1
        splits["trnid"].extend(ids[: PER_CLASS["trnid"]].tolist())
        splits["valid"].extend(ids[PER_CLASS["trnid"] : sum(PER_CLASS.values())].tolist())
        splits["tstid"].extend(ids[sum(PER_CLASS.values()) :].tolist())
    return labels, {k: np.sort(np.array(v, dtype=np.int64)) for k, v in splits.items()}
