"""A folder's train/test split, fixed by the file names alone.

The rule (`split_of`) ranks every image by the SHA-256 of its relative name and holds out
the round(fraction * N) smallest as the test split (at least one when fraction > 0 and
N >= 2, at most half). It knows nothing of classes, so a small class can fall in the test
split whole, and a class-conditional model would never see it. `split_by_class` keeps the
rule for every class that has a training image under it, and splits a class that has none
on its own by the same rule: of its n images the round(fraction * n) of smallest SHA-256
stay in the test split (at least one when n >= 2, at most half) and the rest move into
training. A class of one image trains; a class of two gives one to each split; a class of
three keeps one in the test split at fractions up to 0.5. Only images of such classes move,
and only from the test split into training, so every other image keeps its split.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any


def split_of(names: list[str], fraction: float) -> list[str]:
    """"train" or "test" for each name: the round(fraction * N) names of smallest SHA-256
    (at least one when fraction > 0 and N >= 2, at most half), so the split depends on the
    names alone. A name that is not valid UTF-8 is hashed as its bytes on disk."""
    rank = sorted(range(len(names)), key=lambda i: hashlib.sha256(
        names[i].encode("utf-8", "surrogateescape")).digest())
    count = round(fraction * len(names))
    if fraction > 0 and len(names) >= 2:
        count = min(max(count, 1), len(names) // 2)
    test = set(rank[:count])
    return ["test" if i in test else "train" for i in range(len(names))]


def split_by_class(names: list[str], labels: Sequence[int], fraction: float
                   ) -> tuple[list[str], list[int]]:
    """(split of each name, the labels of the classes given training images): `split_of`,
    then each class (label >= 0) with no name in training split on its own by `split_of`."""
    split = split_of(names, fraction)
    rows: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        if label >= 0:
            rows.setdefault(label, []).append(i)
    trained = {labels[i] for i, s in enumerate(split) if s == "train"}
    moved = sorted(c for c in rows if c not in trained)
    for c in moved:
        own = split_of([names[i] for i in rows[c]], fraction)
        for i, s in zip(rows[c], own, strict=True):
            split[i] = s
    return split, moved


def untrained_classes(items: Any) -> bool | None:
    """Whether a manifest's items (`items`: its list of {"split", "label", ...}) leave a
    class with images but none in the training split, as preparations made before
    `split_by_class` could; None when the items are not such a list."""
    if not isinstance(items, list) or \
            not all(isinstance(i, dict) and isinstance(i.get("label"), int) for i in items):
        return None
    labelled = {i["label"] for i in items if i["label"] >= 0}
    return bool(labelled - {i["label"] for i in items if i.get("split") == "train"})


def counts_by_class(items: list[dict[str, Any]], fraction: float) -> dict[str, int] | None:
    """{"train": N, "test": N} that `split_by_class` gives a manifest's items (their names
    and labels): what an entry `untrained_classes` finds will hold once prepared again;
    None when an item has no name."""
    names = [i.get("name") for i in items]
    if not all(isinstance(n, str) for n in names):
        return None
    split, _ = split_by_class(names, [i["label"] for i in items], fraction)
    return {"train": split.count("train"), "test": split.count("test")}
