"""What a listing of files means: which are images, their classes and their captions.

    DIR/*.png, DIR/any/depth/*.jpg      images (PNG, JPEG, WebP, BMP, TIFF, GIF)
    DIR/cat/*.jpg, DIR/dog/*.jpg        classes: the first folder of each image, when every
                                        image lies in one and there are at least two
    DIR/metadata.jsonl                  captions: {"file_name": ..., "text": ... or [...]}
    DIR/metadata.csv                    the same as CSV (a `text` or `caption` column)
    DIR/NAME.txt beside DIR/NAME.jpg    captions: one per line (the suffix in any case;
                                        NAME.jpg.txt when there is no NAME.txt)

Several metadata rows (or a list) per image give several captions. A metadata file gives
the captions when there is one; caption files beside it are then listed as not read. When a
set has captions, an image without one is skipped. Every skipped file is named with its
reason.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ganforge.data.folder.listing import (
    METADATA,
    Listing,
    first_names,
    ignored,
    read_failure,
)
from ganforge.data.folder.metadata_rows import rows_of
from ganforge.errors import DataError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif")
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
    class_note: str = ""  # why folders that look like classes are not taken as classes
    imageless: tuple[str, ...] = ()  # top-level folders beside the classes with no image file


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


def _metadata_captions(read: Callable[[str], bytes], meta: str, names: set[str],
                       skipped: list) -> dict[str, list[object]]:
    """Captions by image name from the top-level metadata file `meta`."""
    for other in METADATA:
        if other in names and other != meta:
            skipped.append((other, f"not read: {meta} gives the captions"))
    text = _text(read, meta, skipped)
    rows = [] if text is None else rows_of(meta, text, skipped, _is_image)
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


def _caption_files(images: list[str], names: set[str]
                   ) -> tuple[dict[str, str], dict[str, str]]:
    """Each image's caption file: NAME.txt beside NAME.jpg (the suffix in any case), else
    NAME.jpg.txt when no image is named NAME.jpg.*; and the other caption files of an image
    (another case, or both forms) with the reason they are not read. Names match in Unicode
    NFC (macOS writes NFD). A NAME.txt beside two images of one stem (NAME.png, NAME.jpg)
    captions neither: each needs its NAME.EXT.txt."""
    by_base: dict[str, list[str]] = {}
    for n in sorted(names):
        if n[-4:].lower() == ".txt" and not ignored(n):
            by_base.setdefault(_nfc(n[:-4]), []).append(n)
    per_stem = Counter(_nfc(_stem(i)) for i in images)
    found: dict[str, str] = {}
    others: dict[str, str] = {}
    for image in images:
        stem = _nfc(_stem(image))
        shared = by_base.get(stem, [])
        if per_stem[stem] > 1:
            for f in shared:
                others.setdefault(f, f"not read: {per_stem[stem]} images are named "
                                     f"{PurePosixPath(_stem(image)).name}.*; give each its "
                                     "NAME.EXT.txt")
            shared = []
        files = shared + ([] if _nfc(image) in per_stem else by_base.get(_nfc(image), []))
        if files:  # NAME.txt before NAME.TXT before NAME.jpg.txt
            found[image] = min(files, key=lambda f: (_nfc(f[:-4]) == _nfc(image),
                                                     not f.endswith(".txt")))
            for f in files:
                others.setdefault(f, f"not read: {found[image]} gives the captions of {image}")
    used = set(found.values())
    return found, {f: reason for f, reason in others.items() if f not in used}


def _nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


def _stem(name: str) -> str:
    return str(PurePosixPath(name).with_suffix(""))


def _text_file_captions(read: Callable[[str], bytes], files: dict[str, str], skipped: list
                        ) -> dict[str, list[object]]:
    texts = {f: _text(read, f, skipped) for f in sorted(set(files.values()))}
    return {image: text.splitlines()[: MAX_CAPTIONS * 4] for image, f in files.items()
            if (text := texts[f]) is not None}


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
    files, others = _caption_files(images, names)
    meta = next((m for m in METADATA if m in names), None)
    if meta is None:
        captions = _text_file_captions(read, files, out.skipped)
        out.skipped.extend(sorted(others.items()))
    else:
        captions = _metadata_captions(read, meta, names, out.skipped)
        out.skipped.extend((f, f"caption file not read: {meta} gives the captions")
                           for f in sorted(set(files.values()) | set(others)))
    for n in sorted(names - set(images) - set(METADATA) - set(files.values()) - set(others)):
        if not ignored(n):
            out.skipped.append((n, "not read: a metadata file is read only at the top of the "
                                   "folder" if PurePosixPath(n).name in METADATA else
                                   "not an image file"))
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
    out.class_note = _outside_note(kept) if use_classes and not out.classes else ""
    if out.classes:  # a class folder of .HEIC photos or notes alone, say: named, not silent
        tops = {PurePosixPath(n).parts[0] for n in names
                if len(PurePosixPath(n).parts) > 1 and not ignored(n)}
        out.imageless = tuple(sorted(tops - set(out.classes)))
    return out


def _outside_note(images: list[str]) -> str:
    """Why no classes, when at least two top-level folders hold images but some images lie
    outside them (one stray image at the top turns class folders into a plain folder)."""
    folders = {PurePosixPath(n).parts[0] for n in images if len(PurePosixPath(n).parts) > 1}
    outside = [n for n in images if len(PurePosixPath(n).parts) == 1]
    if len(folders) < 2 or not outside:
        return ""
    return (f"{len(folders)} folders would be classes, but {len(outside)} image(s) lie outside "
            f"them ({first_names(outside, 3)}): move them into a class folder")
