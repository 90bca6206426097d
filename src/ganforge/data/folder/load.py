"""A folder (or archive) data set through the registry: the functions its entry names
(load_split, check, find), and `summary`, what `ganforge data check|prepare PATH` print."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from ganforge.data.dataset import ImageData
from ganforge.data.folder.listing import first_names
from ganforge.data.folder.prepare import Prepared, PrepareOptions, prepare
from ganforge.data.registry import DataSet
from ganforge.errors import DataError


def options_of(entry: DataSet) -> PrepareOptions:
    return entry.options if isinstance(entry.options, PrepareOptions) else PrepareOptions()


def prepared(entry: DataSet) -> Prepared:
    if entry.path is None:
        raise DataError(f"data set '{entry.name}' is not a folder")
    return prepare(entry.path, options_of(entry))


def embedding_name(p: Prepared) -> str:
    """The name the captions' vectors are cached under: one per source folder, whatever its
    preparation (the cache's key is the captions themselves)."""
    import hashlib

    return "folder-" + hashlib.sha256(p.manifest["source"].encode()).hexdigest()[:16]


def load_split(entry: DataSet, split: str, data_dir: Any, limit: int | None, verify: bool,
               encoder: str | None) -> ImageData:
    """One split of the prepared folder: images, labels (zeros when it has no classes) and,
    for a captioned folder, every image's captions cycled to the same count K."""
    p = prepared(entry)
    if split == "train":
        for note in p.manifest.get("class_notes", []):
            print(f"note: {printable(entry.name)}: classes: {note}", file=sys.stderr)
    return prepared_split(p, split, entry.name, limit, encoder)


def prepared_split(p: Prepared, split: str, name: str, limit: int | None = None,
                   encoder: str | None = None) -> ImageData:
    """One split of a prepared folder as an ImageData (the captions' vectors by `encoder`;
    None: none), without a word (load_split prints the class notes)."""
    import torch  # imported on loading, so `ganforge data list` stays torch-free

    from ganforge.data.captioned.sets import encode_rows, fill_captions

    items = p.manifest["items"]
    rows = [i for i, item in enumerate(items) if item["split"] == split]
    if limit is not None:
        rows = rows[:limit]
    classes = tuple(p.manifest["classes"])
    labels = np.array([max(items[i]["label"], 0) for i in rows], dtype=np.int64)
    captions = fill_captions([items[i]["captions"] for i in rows]) \
        if p.manifest["captioned"] and rows else None
    text = None if captions is None else encode_rows(captions, encoder, embedding_name(p))
    return ImageData(images=torch.from_numpy(np.ascontiguousarray(p.images[rows])),
                     labels=torch.from_numpy(labels), classes=classes, name=name,
                     captions=captions, text=text, encoder=encoder if text is not None else None)


def printable(name: str) -> str:
    """A file name as a line may show it: bytes that are not UTF-8 as \\xNN, and newlines
    and other control characters escaped (a name cannot break the summary's lines)."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def summary(p: Prepared, shown: int = 5) -> list[str]:
    """The lines of `ganforge data check|prepare`: counts, classes, captions, modes, sizes,
    and the skipped files by reason (the first few named)."""
    m = p.manifest
    items, skipped = m["items"], m["skipped"]
    per_image = Counter(len(i["captions"]) for i in items)
    classes = m["classes"]
    lines = [f"source    {printable(m['source'])} ({m['kind']})",
             f"images    {len(items)} usable: {m['counts']['train']} train, "
             f"{m['counts']['test']} test; {m['channels']}x{m['options']['image_size']}x"
             f"{m['options']['image_size']} ({m['options']['fit']})",
             f"classes   {len(classes)}: {first_names(classes, 12)}" if classes
             else "classes   none",
             *(f"  note: {note}" for note in m.get("class_notes", [])),
             "captions  " + (", ".join(f"{n} per image: {c}" for n, c in sorted(per_image.items()))
                             if m["captioned"] else "none"),
             "modes     " + ", ".join(f"{k} {v}" for k, v in sorted(m["modes"].items())),
             "sizes     " + ", ".join(f"{k} {v}" for k, v in list(m["sizes"].items())[:6]),
             f"skipped   {len(skipped)} file(s)"]
    for reason, count in Counter(s["reason"] for s in skipped).most_common():
        names = [printable(s["name"]) for s in skipped if s["reason"] == reason]
        lines.append(f"  {count} x {printable(reason)}: {first_names(names, shown)}")
    lines.append(f"cache     {p.folder}")
    return lines


def _report(role: str, path: str, count: int, error: str | None = None) -> dict[str, object]:
    return {"role": role, "path": path, "shape": (count,), "expected_shape": (count,),
            "sha256": None, "sha256_ok": None, "shape_ok": error is None,
            "ok": error is None, "error": error}


def check(entry: DataSet, data_dir: Any = None) -> list[dict[str, object]]:
    """The check rows of a folder: its usable images and its skipped files."""
    p = prepared(entry)
    source, m = p.manifest["source"], p.manifest
    return [_report("images", source, len(m["items"])),
            _report("skipped", source, len(m["skipped"]))]


def find(entry: DataSet, rows: list[dict[str, object]], data_dir: Any) -> tuple[bool, str]:
    path = Path(entry.path or entry.name)
    return (path.exists(), str(path) if path.exists() else f"{path}: not found")
