"""Colour names people use, grounded in RGB: which of matplotlib's XKCD and CSS colour names
may say each petal and centre colour of the synthetic flowers.

The names are those of the XKCD colour survey (`matplotlib.colors.XKCD_COLORS`, 949 names
people typed for an RGB colour) and the CSS colours (`CSS4_COLORS`, their run-together names
split into XKCD words: "lightpink" -> "light pink"; one that does not split is skipped, and a
name XKCD also has keeps XKCD's colour). A name with other characters than letters and
spaces ("blue/green", "robin's egg"), a repeated word ("blue blue"), a linking word ("blue
with a hint of purple", "macaroni and cheese"), a crude word or a misspelling is skipped.

A name says palette value v (PETAL_COLOURS or CENTRE_COLOURS, each palette on its own) when,
in CIELAB (sRGB, D65 white), its CIE76 distance (delta E, the Euclidean distance in L*a*b*)
to v's RGB is at most THRESHOLD, v is the nearest colour of that palette to it (so a name
says one value only), and its colour word, if it has one, is v's own (the last basic colour
term of the name: "pale blue" is not a name of white however near it lies). Each image's
shade is v jittered by up to JITTER per channel, at most `jitter_reach(v)` delta E away from
v, so every name of v lies within THRESHOLD + `jitter_reach(v)` of any shade drawn of v.

The table is computed once, the same on every machine (the names sorted by distance, then
alphabetically).
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

from ganforge.data.synthetic_flowers.params import JITTER
from ganforge.data.synthetic_flowers.species import CENTRE_COLOURS, PETAL_COLOURS

THRESHOLD = 20.0  # CIE76 delta E from the palette colour
PALETTES: dict[str, dict[str, tuple[int, int, int]]] = {
    "petal_colour": PETAL_COLOURS, "centre_colour": CENTRE_COLOURS}

# Words a name is skipped for: linking words, crude words, misspellings and non-English.
SKIPPED = frozenset(
    "a and of the with piss puke vomit shit poo poop barf snot booger ugly nasty boring sick "
    "icky bile diarrhea urple kelley ocre siena azul rosa".split())
# Colour words and the basic colour term each says (the last one in a name is its head).
BASIC = {
    **{w: w for w in "red pink purple blue white yellow orange brown black green grey magenta "
       "cyan teal aqua turquoise beige khaki olive".split()},
    "gray": "grey", "silver": "grey", "reddish": "red", "reddy": "red", "crimson": "red",
    "scarlet": "red", "maroon": "red", "pinkish": "pink", "pinky": "pink", "rose": "pink",
    "salmon": "pink", "purplish": "purple", "purply": "purple", "purpley": "purple",
    "violet": "purple", "lilac": "purple", "lavender": "purple", "mauve": "purple",
    "plum": "purple", "bluish": "blue", "blueish": "blue", "bluey": "blue", "navy": "blue",
    "indigo": "blue", "whitish": "white", "cream": "white", "creamy": "white",
    "yellowish": "yellow", "yellowy": "yellow", "gold": "yellow", "golden": "yellow",
    "orangish": "orange", "orangeish": "orange", "orangey": "orange", "orangy": "orange",
    "peach": "orange", "brownish": "brown", "browny": "brown", "tan": "brown",
    "blackish": "black", "greenish": "green", "greeny": "green", "lime": "green",
    "greyish": "grey", "grayish": "grey"}
# English words of CSS names that XKCD's names lack (a CSS name must split into XKCD's words
# and these; "gainsboro", "peru" and proper names do not, and "gray" names keep their "grey"
# twins only).
CSS_WORDS = frozenset(
    "almond antique bisque blanched burly chiffon cornsilk firebrick floral ghost honeydew "
    "lace linen misty moccasin papaya puff saddle seashell smoke snow thistle whip wood"
    .split())
_NAME = re.compile(r"[a-z]+(?: [a-z]+)*")


def lab(rgb: np.ndarray | tuple[int, int, int]) -> np.ndarray:
    """CIELAB (..., 3) of sRGB colours (..., 3) in 0..255, D65 white."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    to_xyz = np.array([[0.4124564, 0.3575761, 0.1804375],
                       [0.2126729, 0.7151522, 0.0721750],
                       [0.0193339, 0.1191920, 0.9503041]])
    xyz = linear @ to_xyz.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def delta_e(a: np.ndarray | tuple[int, int, int], b: np.ndarray | tuple[int, int, int]
            ) -> np.ndarray:
    """CIE76 distance between sRGB colours a and b (broadcast)."""
    return np.linalg.norm(lab(a) - lab(b), axis=-1)


def jitter_reach(rgb: tuple[int, int, int], jitter: int = JITTER) -> float:
    """The largest delta E between `rgb` and a shade of it jittered by up to `jitter` per
    channel (every shade of the cube, clipped to 0..255, is measured)."""
    steps = np.arange(-jitter, jitter + 1)
    cube = np.stack(np.meshgrid(steps, steps, steps, indexing="ij"), -1).reshape(-1, 3)
    shades = np.clip(np.asarray(rgb) + cube, 0, 255)
    return float(delta_e(shades, np.asarray(rgb)).max())


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def split_css(name: str, vocabulary: set[str]) -> str | None:
    """A run-together CSS name as the fewest words of `vocabulary` ("lightpink" ->
    "light pink"), or None when it does not split."""
    best: dict[int, list[str]] = {0: []}
    for end in range(1, len(name) + 1):
        splits = [best[start] + [name[start:end]] for start in range(end)
                  if start in best and name[start:end] in vocabulary]
        if splits:
            best[end] = min(splits, key=len)
    return " ".join(best[len(name)]) if len(name) in best else None


def readable(name: str) -> bool:
    """Letters and single spaces only, no word twice, none of SKIPPED."""
    words = name.split()
    return bool(_NAME.fullmatch(name)) and len(set(words)) == len(words) and \
        not SKIPPED & set(words)


@cache
def candidates() -> dict[str, tuple[int, int, int]]:
    """Every readable XKCD name, then every readable CSS name XKCD lacks, with its RGB."""
    from matplotlib.colors import CSS4_COLORS, XKCD_COLORS  # imported on use (start-up)

    xkcd = {key.removeprefix("xkcd:"): value for key, value in XKCD_COLORS.items()}
    vocabulary = {w for name in xkcd for w in re.split(r"[ /]", name)} | CSS_WORDS
    css = {split_css(key, vocabulary): value for key, value in CSS4_COLORS.items()}
    named = {**{n: v for n, v in css.items() if n is not None}, **xkcd}
    return {n: _rgb(named[n]) for n in sorted(named) if readable(n)}


def head(name: str) -> str | None:
    """The basic colour term a name's last colour word says, or None ("bubblegum")."""
    terms = [BASIC[w] for w in name.split() if w in BASIC]
    return terms[-1] if terms else None


@cache
def grounded(slot: str) -> dict[str, tuple[tuple[str, float], ...]]:
    """Palette `slot` ("petal_colour" or "centre_colour"): each value's names and their
    delta E from it, nearest first (ties alphabetically)."""
    palette = PALETTES[slot]
    names = list(candidates())
    distance = delta_e(np.array([candidates()[n] for n in names])[:, None],
                       np.array(list(palette.values()))[None])  # (names, values)
    nearest = distance.argmin(axis=1)
    out: dict[str, list[tuple[str, float]]] = {v: [] for v in palette}
    for i, name in enumerate(names):
        value = list(palette)[nearest[i]]
        if distance[i, nearest[i]] <= THRESHOLD and head(name) in (None, value):
            out[value].append((name, float(distance[i, nearest[i]])))
    return {v: tuple(sorted(found, key=lambda x: (round(x[1], 9), x[0])))
            for v, found in out.items()}
