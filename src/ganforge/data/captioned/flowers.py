"""The Oxford 102 flowers in their standard layout, with the per-image caption files:

    ROOT/jpg/image_00001.jpg ... image_08189.jpg      the photographs
    ROOT/imagelabels.mat                              `labels`: class 1..102 of each image
    ROOT/setid.mat                                    `trnid`, `valid`, `tstid`: image ids
    ROOT/text_c10/class_00001/image_00001.txt ...     captions, one per line

ROOT is searched as `NAME/` and `.` under --data-dir, $GANFORGE_DATA and the user cache.
Splits: "train" is trnid + tstid (7,169 images), "test" is valid (1,020 images, 10 per class,
held out for evaluation). Images are resized (shorter side 64) and centre-cropped to 64x64
once; the result is cached as uint8 safetensors in the user cache, keyed by the files.

Every set in this layout (flowers102, synthetic-flowers) is read by this one reader: a
`Layout` names the set, its class names and what to do when it is not found.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ganforge.data.captioned.flowers_image import SIZE, open_image, read_image  # noqa: F401
from ganforge.errors import DataError
from ganforge.fileio import atomic_write_bytes, cache_root, read_regular

NAME = "flowers102"
SPLITS = {"train": ("trnid", "tstid"), "test": ("valid",)}
SEARCHED = "--data-dir, $GANFORGE_DATA and ~/.cache/ganforge"
MAX_IMAGES = 100_000  # labels read from imagelabels.mat (Oxford's: 8,189)
MAX_CAPTION_FILE = 64 * 1024  # bytes of one image's caption file (Oxford's: about 1 KB)
MAX_CAPTIONS = 100  # captions (non-empty lines) of one image (Oxford's: 10)
MAX_CAPTION_CHARS = 1000  # characters of one caption (Oxford's longest: about 300)


def class_names() -> tuple[str, ...]:
    """The 102 species names shipped with ganforge, in label order (label 1 first)."""
    text = (resources.files("ganforge") / "data" / "flowers102_classes.json").read_text()
    return tuple(json.loads(text))


@dataclass(frozen=True)
class Layout:
    """A data set in the Oxford 102 layout: its name, class names (label order) and the hint
    given when it is not found."""

    name: str
    classes: Callable[[], tuple[str, ...]]
    missing: str = "see docs/text-to-image.md for the files"


FLOWERS102 = Layout(NAME, class_names)


def candidate_roots(data_dir: str | os.PathLike[str] | None, name: str = NAME) -> list[Path]:
    """Folders that may hold the layout of data set `name`, in search order."""
    roots = [Path(data_dir).expanduser()] if data_dir else []
    env = os.environ.get("GANFORGE_DATA", "")
    roots.extend(Path(p).expanduser() for p in env.split(os.pathsep) if p)
    roots.append(cache_root())
    # Only flowers102's files may also lie directly in a root (as Oxford's archive unpacks).
    return list(dict.fromkeys(d for root in roots
                              for d in ((root / name, root) if name == NAME else (root / name,))))


def find_root(data_dir: str | os.PathLike[str] | None = None, layout: Layout = FLOWERS102
              ) -> Path | None:
    """The first candidate folder holding imagelabels.mat and setid.mat, or None."""
    for folder in candidate_roots(data_dir, layout.name):
        if (folder / "imagelabels.mat").is_file() and (folder / "setid.mat").is_file():
            return folder
    return None


def find_layout(layout: Layout, data_dir: str | os.PathLike[str] | None) -> tuple[bool, str]:
    """Whether and where a set in this layout is (`ganforge data list`)."""
    root = find_root(data_dir, layout)
    return (True, str(root)) if root else (False, f"not found ({layout.missing})")


def require_root(data_dir: str | os.PathLike[str] | None = None, layout: Layout = FLOWERS102
                 ) -> Path:
    root = find_root(data_dir, layout)
    if root is None:
        raise DataError(f"data set '{layout.name}' not found (looked for {layout.name}/"
                        f"imagelabels.mat in {SEARCHED}); {layout.missing}")
    return root


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def read_mat(path: Path, key: str, max_len: int = MAX_IMAGES) -> np.ndarray:
    """Vector `key` of a MATLAB v5 file as 1-D int64: only that variable is read, and its
    type, shape and size are checked before anything is built (captioned.mat_file)."""
    from ganforge.data.captioned.mat_file import read_vector

    return read_vector(path, key, max_len)


def split_ids(root: Path, split: str, labels: np.ndarray, name: str = NAME) -> np.ndarray:
    """Sorted 1-based image ids of `split`, each checked to have a label; an id twice in
    setid.mat (in one split or in two) is refused."""
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r} for data set '{name}'; expected 'train' or "
                        "'test'")
    setid = root / "setid.mat"
    parts = {key: read_mat(setid, key, len(labels)) for key in ("trnid", "valid", "tstid")}
    for key, ids in parts.items():
        unlabelled = ids[(ids < 1) | (ids > len(labels))]
        if len(unlabelled):
            raise DataError(f"{setid}: image {int(unlabelled[0])} has no label in "
                            f"imagelabels.mat (it holds {len(labels)} labels)")
        values, counts = np.unique(ids, return_counts=True)
        if (counts > 1).any():
            raise DataError(f"{setid}: {key!r} lists image {int(values[counts > 1][0])} twice")
    keys = list(parts)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            both = np.intersect1d(parts[a], parts[b])
            if len(both):
                raise DataError(f"{setid}: image {int(both[0])} in both {a} and {b}")
    return np.sort(np.concatenate([parts[key] for key in SPLITS[split]]))


def read_labels(root: Path, num_classes: int) -> np.ndarray:
    """Labels 1..num_classes of every image, in image-id order."""
    path = root / "imagelabels.mat"
    labels = read_mat(path, "labels")
    bad = labels[(labels < 1) | (labels > num_classes)]
    if len(bad):
        raise DataError(f"{path}: label {int(bad[0])} outside 1..{num_classes}")
    return labels


def image_path(root: Path, image_id: int) -> Path:
    return root / "jpg" / f"image_{image_id:05d}.jpg"


def caption_path(root: Path, image_id: int, label: int) -> Path:
    return root / "text_c10" / f"class_{label:05d}" / f"image_{image_id:05d}.txt"


def read_captions(path: Path) -> list[str]:
    """The captions of one image: its file's non-empty lines. Only a regular file of at most
    MAX_CAPTION_FILE bytes is read, with at most MAX_CAPTIONS captions of MAX_CAPTION_CHARS
    characters each (a FIFO, a device or a 10 MB line is one line, never a hang)."""
    if not os.path.lexists(path):
        raise DataError(f"{path}: caption file missing")
    data = read_regular(path, MAX_CAPTION_FILE, "caption file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: unreadable caption file ({_first_line(exc)})") from None
    captions = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    if not captions:
        raise DataError(f"{path}: caption file holds no caption")
    if len(captions) > MAX_CAPTIONS:
        raise DataError(f"{path}: {len(captions)} captions; a caption file holds at most "
                        f"{MAX_CAPTIONS}")
    longest = max(captions, key=len)
    if len(longest) > MAX_CAPTION_CHARS:
        raise DataError(f"{path}: a caption of {len(longest)} characters; at most "
                        f"{MAX_CAPTION_CHARS}")
    return captions


def _images_key(root: Path, ids: np.ndarray) -> str:
    """Cache key of a set of images: folder, ids, and each file's size and mtime."""
    digest = hashlib.sha256(f"{root.resolve()}|{SIZE}".encode())
    for image_id in ids.tolist():
        try:
            stat = image_path(root, image_id).stat()
            digest.update(f"{image_id}:{stat.st_size}:{stat.st_mtime_ns};".encode())
        except FileNotFoundError:
            raise DataError(f"{image_path(root, image_id)}: image file missing") from None
        except OSError as exc:  # e.g. a jpg/ folder without read permission
            raise DataError(f"{image_path(root, image_id)}: unreadable ({exc.strerror})"
                            ) from None
    return digest.hexdigest()[:24]


def load_images(root: Path, ids: np.ndarray, name: str = NAME) -> np.ndarray:
    """Images (N, 3, 64, 64) uint8 of `ids`, from the user cache or decoded and cached."""
    import torch  # torch and safetensors: imported on loading (`data list` stays torch-free)
    from safetensors import SafetensorError
    from safetensors.torch import load, save

    path = cache_root() / name / f"images{SIZE}-{_images_key(root, ids)}.safetensors"
    if path.is_file():
        try:
            images = load(path.read_bytes()).get("images")
            if images is not None and images.shape == (len(ids), 3, SIZE, SIZE):
                return images.numpy()
        except (OSError, SafetensorError):
            pass  # decode again below
    images = np.stack([read_image(image_path(root, i)) for i in ids.tolist()]) if len(ids) \
        else np.zeros((0, 3, SIZE, SIZE), np.uint8)
    atomic_write_bytes(path, save({"images": torch.from_numpy(images)}))
    return images


def load_flowers(split: str, data_dir: Any = None, limit: int | None = None,
                 layout: Layout = FLOWERS102
                 ) -> tuple[np.ndarray, np.ndarray, list[list[str]], tuple[str, ...]]:
    """(images (N, 3, 64, 64) uint8, labels (N,) 0..101, captions per image, class names)."""
    root, ids, image_labels, classes = split_members(split, data_dir, limit, layout)
    images, captions = read_members(root, ids, image_labels, layout.name)
    return images, image_labels - 1, captions, classes


def read_members(root: Path, ids: np.ndarray, labels: np.ndarray, name: str = NAME
                 ) -> tuple[np.ndarray, list[list[str]]]:
    """(images (N, 3, 64, 64) uint8, captions per image) of images `ids` of labels 1..K."""
    captions = [read_captions(caption_path(root, int(i), int(c)))
                for i, c in zip(ids, labels, strict=True)]
    return load_images(root, ids, name), captions


def split_members(split: str, data_dir: Any, limit: int | None, layout: Layout
                  ) -> tuple[Path, np.ndarray, np.ndarray, tuple[str, ...]]:
    """(root, image ids, their labels 1..K, class names) of the first `limit` of a split."""
    if limit is not None and limit < 0:
        raise DataError(f"data set '{layout.name}': limit must be >= 0, got {limit}")
    root = require_root(data_dir, layout)
    classes = layout.classes()
    labels = read_labels(root, len(classes))
    ids = split_ids(root, split, labels, layout.name)[:limit]
    return root, ids, labels[ids - 1], classes


def _report(role: str, path: Path, count: int, missing: list[Path], expected: int
            ) -> dict[str, object]:
    """A `ganforge data check` report of a group of files (no published checksums)."""
    error = f"{missing[0]}: missing ({len(missing)} of {expected} missing)" if missing else None
    return {"role": role, "path": str(path), "shape": (count,), "expected_shape": (expected,),
            "sha256": None, "sha256_ok": None, "shape_ok": not missing, "ok": not missing,
            "error": error}


def check_files(data_dir: Any = None, layout: Layout = FLOWERS102) -> list[dict[str, object]]:
    """Check the layout without decoding images: the label and split files read, and every
    image of both splits has its JPEG and its caption file."""
    root = require_root(data_dir, layout)
    labels = read_labels(root, len(layout.classes()))
    ids = np.concatenate([split_ids(root, split, labels, layout.name) for split in SPLITS])
    jpgs = [image_path(root, int(i)) for i in ids]
    texts = [caption_path(root, int(i), int(labels[i - 1])) for i in ids]
    return [
        _report("labels", root / "imagelabels.mat", len(labels), [], len(labels)),
        _report("splits", root / "setid.mat", len(ids), [], len(ids)),
        _report("images", root / "jpg", len(ids), [p for p in jpgs if not p.is_file()],
                len(ids)),
        _report("captions", root / "text_c10", len(ids), [p for p in texts if not p.is_file()],
                len(ids)),
    ]
