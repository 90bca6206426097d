"""Reading synthetic-flowers back through the flowers reader (made on first use), with what
only this set has: the attribute levels each caption states, and each image's own attributes
from its JSON record; and `check`, the deep check behind `ganforge data check` (the functions
its registry entry names: load_split, check, find)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ganforge.data.captioned.flowers import (
    Layout,
    caption_path,
    check_files,
    find_layout,
    find_root,
    image_path,
    read_captions,
    read_labels,
    read_members,
    split_members,
)
from ganforge.data.captioned.flowers_image import open_image
from ganforge.data.captioned.sets import encode_rows
from ganforge.data.dataset import ImageData
from ganforge.data.registry import DataSet
from ganforge.data.synthetic_flowers import make as maker
from ganforge.data.synthetic_flowers.captions import stated_levels
from ganforge.data.synthetic_flowers.out_folder import strangers
from ganforge.data.synthetic_flowers.species import (
    ATTRIBUTES,
    NAME,
    VALUES,
    all_species,
    class_names,
)
from ganforge.errors import DataError
from ganforge.fileio import read_json

LAYOUT = Layout(NAME, class_names, "make it with `ganforge data make synthetic-flowers`")
LEVEL_COUNTS = tuple(len(VALUES[a]) for a in ATTRIBUTES)
SIZE = 64
MAX_RECORD_BYTES = 64 * 1024  # one image's attribute record (about 600 bytes)


def _say(line: str) -> None:
    print(line, file=sys.stderr)


def ensure_root(data_dir: Any = None) -> Path:
    """The set's folder; made in the user cache when it is nowhere to be found, and made
    again in its place when its captions are those of an older ganforge (refused in one line
    when the folder holds files ganforge did not make)."""
    root = find_root(data_dir, LAYOUT)
    if root is None:
        _say(f"{NAME}: not found, making it (under a minute) ...")
        return maker.make(log=_say)
    if maker.captions_current(root):
        return root
    if strangers(root):
        raise DataError(f"{root}: its captions are those of an older ganforge and it holds "
                        f"files ganforge did not make; make it again with `ganforge data make "
                        f"{NAME} --force --out {root.parent}`")
    _say(f"{root}: its captions are those of an older ganforge; making it again ...")
    return maker.make(root.parent, log=_say, force=True)


def load_split(entry: DataSet, split: str, data_dir: Any, limit: int | None, verify: bool,
               encoder: str | None) -> ImageData:
    """A split through the flowers reader (the set made first if missing), with the levels
    its captions state and each image's own attributes."""
    import torch  # imported on loading, so `ganforge data list` stays torch-free

    root = ensure_root(data_dir)
    root, ids, labels, classes = split_members(split, root.parent, limit, LAYOUT)
    images, captions = read_members(root, ids, labels, NAME)
    return ImageData(images=torch.from_numpy(images), labels=torch.from_numpy(labels - 1),
                         classes=classes, name=NAME, captions=captions,
                         text=encode_rows(captions, encoder, NAME),
                         levels=caption_levels(captions), attributes=ATTRIBUTES,
                         truth=image_levels(root, ids, labels), level_counts=LEVEL_COUNTS,
                         encoder=encoder)


def find(entry: DataSet, rows: list[dict[str, object]], data_dir: Any) -> tuple[bool, str]:
    """Whether and where the set is (`ganforge data list`)."""
    return find_layout(LAYOUT, data_dir)


def read_record(path: Path) -> dict[str, Any]:
    """One image's attribute record (the JSON beside its captions)."""
    if not os.path.lexists(path):
        raise DataError(f"{path}: attribute file missing")
    # a regular file of bounded size, nesting bounded before parsing
    record = read_json(path, MAX_RECORD_BYTES, "attribute file")
    if not isinstance(record, dict):
        raise DataError(f"{path}: not an attribute record")
    return record


def record_levels(record: dict[str, Any], path: Path) -> np.ndarray:
    """(A,) int8: the index of each attribute's value in VALUES."""
    try:
        return np.array([VALUES[a].index(record[a]) for a in ATTRIBUTES], dtype=np.int8)
    except (KeyError, ValueError):
        raise DataError(f"{path}: attribute record lacks or misspells one of "
                        f"{', '.join(ATTRIBUTES)}") from None


def caption_levels(captions: list[list[str]]) -> np.ndarray:
    """(N, K, A) int8: what each caption states (-1 where unstated)."""
    table: dict[str, np.ndarray] = {}
    for row in captions:
        for c in row:
            if c not in table:
                table[c] = stated_levels(c)
    return np.array([[table[c] for c in row] for row in captions], dtype=np.int8)


def image_levels(root: Path, ids: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(N, A) int8: each image's own attributes, from its record."""
    paths = [caption_path(root, int(i), int(c)).with_suffix(".json")
             for i, c in zip(ids, labels, strict=True)]
    levels = [record_levels(read_record(p), p) for p in paths]
    return np.stack(levels) if levels else np.zeros((0, len(ATTRIBUTES)), np.int8)


def check_image(path: Path) -> str | None:
    """None if `path` is a readable 64x64 RGB JPEG, else the reason (a special file or a
    header claiming a huge image is refused before any pixel is decoded)."""
    try:
        with open_image(path) as image:
            image.load()
            if image.size != (SIZE, SIZE) or image.mode != "RGB":
                return f"{path}: {image.mode} {image.width}x{image.height}, expected RGB 64x64"
    except DataError as exc:
        return str(exc)
    except (OSError, ValueError, SyntaxError, EOFError):
        return f"{path}: unreadable JPEG"
    return None


def _caption_error(text: Path, truth: np.ndarray) -> str | None:
    """None if every caption of `text` states only what its image's record says."""
    for caption in read_captions(text):
        try:
            stated = stated_levels(caption)
        except DataError as exc:
            return f"{text}: {exc}"
        wrong = [a for a, s, t in zip(ATTRIBUTES, stated, truth, strict=True) if 0 <= s != t]
        if wrong:
            return f"{text}: caption {caption!r} misstates {', '.join(wrong)}"
    return None


def _report(role: str, path: Path, count: int, error: str | None) -> dict[str, object]:
    return {"role": role, "path": str(path), "shape": (count,), "expected_shape": (count,),
            "sha256": None, "sha256_ok": None, "shape_ok": error is None,
            "ok": error is None, "error": error}


def check(entry: DataSet, data_dir: Any = None) -> list[dict[str, object]]:
    """The flowers layout check, then every image decoded (64x64 RGB), every record read and
    matched to its species, every caption parsed and matched to its record, and the captions
    found to be those this ganforge writes."""
    reports = check_files(data_dir, LAYOUT)
    if not all(r["ok"] for r in reports):
        return reports
    root = find_root(data_dir, LAYOUT)
    assert root is not None  # check_files found it
    labels = read_labels(root, len(class_names()))
    ids = np.arange(1, len(labels) + 1)
    images = next((e for i in ids if (e := check_image(image_path(root, int(i))))), None)
    try:
        truth = image_levels(root, ids, labels)
        error = _species_error(root, ids, labels, truth)
        facts = error or next((e for i, c, t in zip(ids, labels, truth, strict=True)
                               if (e := _caption_error(caption_path(root, int(i), int(c)), t))),
                              None)
    except DataError as exc:
        error = facts = str(exc)
    if facts is None and not maker.captions_current(root):
        facts = (f"{root}: its captions are those of an older ganforge; make it again with "
                 f"`ganforge data make {NAME} --force`")
    return [*reports, _report("image content", root / "jpg", len(ids), images),
            _report("attributes", root / "text_c10", len(ids), error),
            _report("caption facts", root / "text_c10", len(ids), facts)]


def _species_error(root: Path, ids: np.ndarray, labels: np.ndarray, truth: np.ndarray
                   ) -> str | None:
    """None if every record's petal colour, centre colour, count and shape are its class's."""
    species = all_species()
    expected = np.array([[VALUES[a].index(getattr(s, a)) for a in ATTRIBUTES[:4]]
                         for s in species], dtype=np.int8)
    bad = np.flatnonzero((truth[:, :4] != expected[labels - 1]).any(axis=1))
    if len(bad):
        i = int(bad[0])
        path = caption_path(root, int(ids[i]), int(labels[i])).with_suffix(".json")
        return f"{path}: attributes are not those of species {species[labels[i] - 1].name!r}"
    return None
