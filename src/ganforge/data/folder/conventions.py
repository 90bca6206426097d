"""What a listing of files means: which are images, their classes and their captions.

    DIR/*.png, DIR/any/depth/*.jpg      images (PNG, JPEG, WebP, BMP, TIFF, GIF)
    DIR/cat/*.jpg, DIR/dog/*.jpg        classes: the first folder of each image, when every
                                        image lies in one and there are at least two
    DIR/metadata.jsonl                  captions: {"file_name": ..., "text": ... or [...]}
    DIR/metadata.csv                    the same as CSV (a `text` or `caption` column)
    DIR/NAME.txt beside DIR/NAME.jpg    captions: one per line

Several metadata rows (or a list) per image give several captions. When a set has captions,
an image without one is skipped. Every skipped file is named with its reason.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ganforge.data.folder.source import METADATA, Listing, ignored, read_failure
from ganforge.errors import DataError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif")
TEXT_COLUMNS = ("text", "caption")
MAX_CAPTION_CHARS = 1000  # a longer caption is dropped (and counted)
MAX_CAPTIONS = 32  # captions kept per image


@dataclass
class Plan:
    """The images to prepare, in order: names, class indices (-1: none), captions."""

    names: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    captions: list[list[str]] = field(default_factory=list)
    classes: tuple[str, ...] = ()
    skipped: list[tuple[str, str]] = field(default_factory=list)
    captioned: bool = False


def _is_image(name: str) -> bool:
    return name.lower().endswith(IMAGE_SUFFIXES)


def clean_caption(text: object) -> str | None:
    """A caption as kept: one line, spaces collapsed; None for an empty or overlong one."""
    if not isinstance(text, str):
        return None
    line = " ".join(text.split())
    return line if 0 < len(line) <= MAX_CAPTION_CHARS else None


def _text(read: Callable[[str], bytes], name: str, skipped: list) -> str | None:
    """A text file's content, or None (and the reason skipped) when it cannot be read."""
    try:
        data = read(name)
    except (DataError, OSError) as exc:
        skipped.append((name, f"unreadable ({read_failure(exc)})"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        skipped.append((name, "text is not UTF-8"))
        return None


def _rows_jsonl(text: str, name: str, skipped: list) -> list[tuple[str, object]]:
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            skipped.append((f"{name}:{number}", "not a JSON object"))
            continue
        file, value = _file_and_text(row)
        if file is None:
            skipped.append((f"{name}:{number}", "no file_name and text (or caption)"))
        else:
            rows.append((file, value))
    return rows


def _file_and_text(row: object) -> tuple[str | None, object]:
    if not isinstance(row, dict) or not isinstance(row.get("file_name"), str):
        return None, None
    value = next((row[c] for c in TEXT_COLUMNS if c in row), None)
    return (row["file_name"], value) if value is not None else (None, None)


def _rows_csv(text: str, name: str, skipped: list) -> list[tuple[str, object]]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        fields = reader.fieldnames or []
        if "file_name" not in fields or not any(c in fields for c in TEXT_COLUMNS):
            skipped.append((name, "needs a file_name and a text (or caption) column "
                                  "(comma-separated)"))
            return []
        pairs = [_file_and_text(row) for row in reader]
    except csv.Error as exc:
        skipped.append((name, f"not readable CSV ({exc})"))
        return []
    return [(file, value) for file, value in pairs if file is not None]


def _metadata_captions(read: Callable[[str], bytes], names: set[str], skipped: list
                       ) -> dict[str, list[object]] | None:
    """Captions by image name from the top-level metadata file (None: there is none)."""
    present = [m for m in METADATA if m in names]
    if not present:
        return None
    meta = present[0]
    for other in present[1:]:
        skipped.append((other, f"not read: {meta} gives the captions"))
    text = _text(read, meta, skipped)
    rows = [] if text is None else (_rows_jsonl if meta.endswith("jsonl") else _rows_csv)(
        text, meta, skipped)
    composed = {unicodedata.normalize("NFC", n): n for n in names}  # macOS writes NFD names
    found: dict[str, list[object]] = {}
    for file, value in rows:
        key = composed.get(unicodedata.normalize("NFC", str(PurePosixPath(
            file.replace("\\", "/")))))
        if key is None:
            skipped.append((file[:200], f"named in {meta} but not in the folder"))
            continue
        found.setdefault(key, []).extend(value if isinstance(value, list) else [value])
    if not found:
        skipped.append((meta, "no usable caption in it: the folder is read without captions"))
    return found


def _text_file_captions(read: Callable[[str], bytes], images: list[str], names: set[str],
                        skipped: list) -> dict[str, list[object]]:
    found: dict[str, list[object]] = {}
    for image in images:
        txt = str(PurePosixPath(image).with_suffix(".txt"))
        if txt in names:
            text = _text(read, txt, skipped)
            if text is not None:
                found[image] = text.splitlines()[: MAX_CAPTIONS * 4]
    return found


def _classes(images: list[str]) -> tuple[tuple[str, ...], list[int]]:
    """Class subfolders: every image in a top-level folder, and at least two folders."""
    tops = [PurePosixPath(n).parts for n in images]
    if not tops or any(len(p) < 2 for p in tops):
        return (), [-1] * len(images)
    classes = tuple(sorted({p[0] for p in tops}))
    if len(classes) < 2:
        return (), [-1] * len(images)
    index = {c: i for i, c in enumerate(classes)}
    return classes, [index[p[0]] for p in tops]


def plan(listing: Listing, read: Callable[[str], bytes], use_classes: bool = True) -> Plan:
    """The images of `listing` with their classes and captions (`read` gives a small text
    file's bytes); everything else is skipped with its reason."""
    out = Plan(skipped=list(listing.skipped))
    names = {m.name for m in listing.members}
    images = sorted(n for n in names if _is_image(n) and not ignored(n))
    captions = _metadata_captions(read, names, out.skipped)
    if captions is None:
        captions = _text_file_captions(read, images, names, out.skipped)
    text_files = {str(PurePosixPath(i).with_suffix(".txt")) for i in images}
    for n in sorted(names - set(images) - set(METADATA)):
        if not ignored(n) and not (n in text_files and n.endswith(".txt")):
            out.skipped.append((n, "not an image file"))
    out.captioned = bool(captions)
    kept = []
    for image in images:
        texts = [c for c in (clean_caption(t) for t in captions.get(image, ())) if c]
        dropped = len(captions.get(image, ())) - len(texts)
        if out.captioned and not texts:
            out.skipped.append((image, "no usable caption" if dropped else "no caption"))
            continue
        kept.append(image)
        out.captions.append(texts[:MAX_CAPTIONS])
    out.names = kept
    out.classes, out.labels = _classes(kept) if use_classes else ((), [-1] * len(kept))
    return out
