"""Preparing a folder data set once: every image decoded, squared and resized on all cores,
stored as one uint8 array (N, C, S, S) beside a JSON manifest in the user cache:

    $XDG_CACHE_HOME/ganforge/folders/<key>/images.npy, manifest.json

The key is the SHA-256 of the source's listing (relative names, sizes, modification times;
an archive's path, size and time) and the preparation settings, so a changed folder is
prepared again and an unchanged one is loaded at once. The train/test split is fixed by
the file names alone, with every class given a training image (see split.py). Nothing is
written into the user's folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ganforge.data.folder.conventions import Plan, plan
from ganforge.data.folder.listing import Listing, first_names, read_failure
from ganforge.data.folder.source import FolderSource, TarSource, open_source
from ganforge.data.folder.split import split_by_class, untrained_classes
from ganforge.data.image_file import REMOVED, ImageRefused, prepare_bytes, prepare_image
from ganforge.data.prepare_options import PrepareOptions
from ganforge.errors import DataError
from ganforge.fileio import atomic_write, atomic_write_json, cache_root

FORMAT = 2  # 2: EXIF orientation applied; 32-bit and float grey images on fixed scales
MIN_IMAGES = 2  # fewer usable images than this: nothing to train on
POOL_FROM = 64  # fewer images than this are prepared in this process


@dataclass
class Prepared:
    """A prepared folder: the whole array (N, C, S, S) and its manifest."""

    images: np.ndarray
    manifest: dict[str, Any]
    folder: Path  # the cache entry


def folders_root() -> Path:
    return cache_root() / "folders"


@dataclass(frozen=True)
class Unread:
    """An archive member that could not be read (damaged, or an unsupported compression)."""

    reason: str


def _prepare_one(job: tuple[str | bytes | Unread, int, int | None, str]
                 ) -> tuple[Any, str, str]:
    """(pixels (S, S, C) or None, mode, size or reason) of one image (a path or bytes)."""
    source, size, channels, fit = job
    if isinstance(source, Unread):
        return None, "", source.reason
    try:
        done = (prepare_bytes if isinstance(source, bytes) else prepare_image)(
            source, size, channels, fit)
    except ImageRefused as exc:
        return None, "", str(exc)
    except OSError as exc:
        return None, "", f"unreadable ({exc.strerror or type(exc).__name__})"
    return done.pixels, done.mode, f"{done.size[0]}x{done.size[1]}"


def _jobs(source, names: list[str], options: PrepareOptions
          ) -> Iterator[tuple[str, tuple]]:
    """(name, job) of each image, in the order it is read (a tar's own: one pass)."""
    extra = (options.image_size, options.channels, options.fit)
    if isinstance(source, FolderSource):
        return ((n, (str(source.path_of(n)), *extra)) for n in names)
    if isinstance(source, TarSource):
        wanted = set(names)
        return ((n, (data, *extra)) for n, data in source.read_where(wanted.__contains__))
    return ((n, (_member(source, n), *extra)) for n in names)


def _member(source, name: str) -> bytes | Unread:
    """An archive member's bytes, or why it could not be read (it is then skipped)."""
    try:
        return source.read(name)
    except DataError as exc:
        return Unread(f"truncated or corrupt image ({read_failure(exc)})")


def _run(named: Iterable[tuple[str, tuple]], count: int, show: bool
         ) -> dict[str, tuple[Any, str, str]]:
    """Each image's result by name (on every core from POOL_FROM images on)."""
    from tqdm import tqdm  # imported on use (CLI start-up)

    order: list[str] = []

    def jobs() -> Iterator[tuple]:
        for name, job in named:
            order.append(name)
            yield job

    bar = tqdm(total=count, desc="preparing images", unit="img", disable=None if show else True,
               file=sys.stderr)
    if count < POOL_FROM or (os.cpu_count() or 1) < 2:
        results = [_prepare_one(j) for j in jobs() if not bar.update(1)]
    else:
        from ganforge.data.folder.workers import worker_pool

        with worker_pool(os.cpu_count() or 2) as pool:
            results = []
            for r in pool.imap(_prepare_one, jobs(), chunksize=32):
                results.append(r)
                bar.update(1)
    bar.close()
    return dict(zip(order, results, strict=True))


def _assemble(p: Plan, results: list, options: PrepareOptions, where: Path
              ) -> tuple[np.ndarray, list[int], Counter, Counter]:
    keep = [i for i, r in enumerate(results) if r[0] is not None]
    for i, r in enumerate(results):
        if r[0] is None:
            p.skipped.append((p.names[i], r[2]))
    if len(keep) < MIN_IMAGES:
        reasons = Counter(reason for _, reason in p.skipped).most_common(3)
        said = "; ".join(f"{n} {r}" for r, n in reasons) or \
            ("no image files" if not results else "nothing else was skipped")
        raise DataError(f"{where}: {len(keep)} usable image(s), at least {MIN_IMAGES} needed "
                        f"({said})")
    grey = all(results[i][0].shape[2] == 1 for i in keep)
    channels = options.channels or (1 if grey else 3)
    s = options.image_size
    images = np.empty((len(keep), channels, s, s), np.uint8)
    for row, i in enumerate(keep):
        pixels = results[i][0]
        if pixels.shape[2] != channels:  # grey among colour (or forced): repeat or average
            pixels = np.repeat(pixels, 3, 2) if channels == 3 else \
                np.round(pixels @ np.array([0.299, 0.587, 0.114])).astype(np.uint8)[:, :, None]
        images[row] = pixels.transpose(2, 0, 1)
    modes = Counter(results[i][1] for i in keep)
    sizes = Counter(results[i][2] for i in keep)
    return images, keep, modes, sizes


def cache_key(source, listing_key: str, options: PrepareOptions) -> str:
    text = json.dumps([FORMAT, source.stamp(), listing_key, asdict(options)])
    return hashlib.sha256(text.encode()).hexdigest()


def _cache_entry(root: Path, options: PrepareOptions) -> tuple[Any, Listing, Path]:
    """The folder's source, its listing now, and the cache entry of that listing prepared
    as `options` say."""
    source = open_source(root)
    listing = source.listing()
    return source, listing, folders_root() / cache_key(source, listing.key(), options)[:32]


def prepared_if_cached(path: str | Path, options: PrepareOptions) -> Prepared | None:
    """The folder's preparation when the cache holds it for the folder as it is now; else
    None (nothing is prepared: for what only looks, such as a server at start-up)."""
    return load_cached(_cache_entry(Path(path).expanduser(), options)[2])


def prepare(path: str | Path, options: PrepareOptions | None = None,
            log: Callable[[str], None] | None = None, show: bool = True) -> Prepared:
    """The prepared array and manifest of the folder or archive at `path` (from the cache
    when nothing changed; prepared and cached otherwise), as `options` say (None: the
    defaults)."""
    options = options or PrepareOptions()
    root = Path(path).expanduser()
    source, listing, entry = _cache_entry(root, options)
    cached = load_cached(entry)
    if cached is not None:
        return cached
    say = log or (lambda m: print(m, file=sys.stderr))
    p = plan(listing, source.read, options.classes)
    if len(p.names) >= MIN_IMAGES:  # else _assemble says why there is nothing to prepare
        say(f"{root}: preparing {len(p.names)} images at {options.image_size}x"
            f"{options.image_size} (once; cached in {entry})")
    done = _run(_jobs(source, p.names, options), len(p.names), show)
    results = [done.get(n, (None, "", "missing from the archive")) for n in p.names]
    _refuse_a_change(root, source, listing.key(), results)
    images, keep, modes, sizes = _assemble(p, results, options, root)
    manifest = _manifest(root, source.kind, options, p, keep, images.shape[1])
    manifest.update(modes=dict(modes), sizes=dict(sizes.most_common(20)))
    write_entry(entry, images, manifest)
    drop_superseded(entry, manifest)
    return Prepared(images, manifest, entry)


def _refuse_a_change(root: Path, source: Any, key: str, results: list) -> None:
    """A DataError when files went away or the folder changed while it was being prepared:
    what was read is then neither the folder before nor after, and is not cached."""
    gone = sum(r[2] == REMOVED for r in results)
    if gone or source.listing().key() != key:
        said = f" ({gone} file(s) removed while being read)" if gone else ""
        raise DataError(f"{root}: the folder changed while it was being prepared{said}; "
                        "nothing was cached: run again once it has settled")


def _manifest(root: Path, kind: str, options: PrepareOptions, p: Plan, keep: list[int],
              channels: int) -> dict[str, Any]:
    names = [p.names[i] for i in keep]
    used = sorted({p.labels[i] for i in keep} - {-1})  # classes left with a usable image
    classes = tuple(p.classes[c] for c in used) if len(used) >= 2 else ()
    label = {c: j for j, c in enumerate(used)}
    labels = [label[p.labels[i]] if classes else -1 for i in keep]
    split, moved = split_by_class(names, labels, options.test_fraction)
    items = [{"name": n, "split": s, "label": c, "captions": p.captions[i]}
             for n, s, c, i in zip(names, split, labels, keep, strict=True)]
    return {"format": FORMAT, "source": str(root.resolve()), "kind": kind,
            "options": asdict(options), "channels": channels, "classes": list(classes),
            "captioned": p.captioned, "items": items,
            "counts": {"train": split.count("train"), "test": split.count("test")},
            "skipped": [{"name": n, "reason": r} for n, r in p.skipped],
            "class_notes": _class_notes(p, classes, [classes[c] for c in moved])}


def _class_notes(p: Plan, classes: tuple[str, ...], moved: list[str]) -> list[str]:
    """What a user must know of the classes: why there are none, those left out for want of
    a usable image (or of any image file), and those split on their own (split_by_class: by
    name alone every image of theirs would have been held out)."""
    notes = [p.class_note] if p.class_note else []
    empty = [c for c in p.classes if c not in classes]
    if classes and empty:
        notes.append(f"left out, no usable image: {first_names(empty, 5)}")
    if classes and p.imageless:
        notes.append(f"left out, no image file: {first_names(list(p.imageless), 5)}")
    if moved:
        notes.append(f"split on their own, as by name all their images fell in the test "
                     f"split: {first_names(moved, 5)}")
    return notes


def write_entry(entry: Path, images: np.ndarray, manifest: dict[str, Any]) -> None:
    """The array first, then the manifest (its presence says the entry is complete); a cache
    folder that cannot be written is one line naming it."""
    def save(tmp: Path) -> None:
        with open(tmp, "wb") as fh:  # a file object: np.save would add ".npy" to a name
            np.save(fh, images, allow_pickle=False)

    try:
        entry.mkdir(parents=True, exist_ok=True)
        atomic_write(entry / "images.npy", save, images.nbytes)
        atomic_write_json(entry / "manifest.json", manifest)
    except OSError as exc:
        raise DataError(f"{entry}: cannot write the prepared folder to the cache "
                        f"({exc.strerror or type(exc).__name__}; set XDG_CACHE_HOME to a "
                        "writable folder)") from None


def drop_superseded(entry: Path, manifest: dict[str, Any]) -> None:
    """Remove the cache entries of earlier states of the same folder prepared the same way
    (files since added, removed or touched): nothing can load them again, and `data list`
    shows each folder once for each preparation."""
    import shutil

    for other in prepared_folders():
        if other["entry"] != str(entry) and other.get("source") == manifest["source"] \
                and other.get("options") == manifest["options"]:
            shutil.rmtree(other["entry"], ignore_errors=True)


def split_counts(path: str | Path, options: PrepareOptions) -> dict[str, int]:
    """{"train": N, "test": N} of the folder prepared as `options` say: from the cache when
    it holds that preparation (its images mapped, not read), else from preparing it."""
    cached = load_cached(_cache_entry(Path(path).expanduser(), options)[2], mapped=True)
    return (cached or prepare(path, options)).manifest["counts"]


def load_cached(entry: Path, mapped: bool = False) -> Prepared | None:
    """A complete cache entry, or None (missing, or unusable: prepared again); `mapped`: its
    images memory-mapped, read only where used. An entry whose split leaves a class with no
    training image was made by the rule before split_by_class (the cache key is the same):
    it is prepared again, every other entry is kept."""
    try:
        manifest = json.loads((entry / "manifest.json").read_text(encoding="utf-8"))
        images = np.load(entry / "images.npy", allow_pickle=False,
                         mmap_mode="r" if mapped else None)
    except (OSError, ValueError, EOFError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or \
            images.dtype != np.uint8 or images.ndim != 4 or \
            len(images) != len(manifest.get("items", ())) or \
            untrained_classes(manifest.get("items")) is not False:
        return None
    return Prepared(images, manifest, entry)


def prepared_folders() -> list[dict[str, Any]]:
    """The manifests of every prepared folder in the cache (`ganforge data list`)."""
    out = []
    for manifest in sorted(folders_root().glob("*/manifest.json")):
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("format") == FORMAT:
            out.append({**data, "entry": str(manifest.parent)})
    return out
