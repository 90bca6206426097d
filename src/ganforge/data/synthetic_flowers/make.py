"""Writing the synthetic-flowers set in the Oxford 102 layout, atomically:

    ROOT/jpg/image_00001.jpg ...                      64x64 RGB, JPEG quality 95
    ROOT/imagelabels.mat, ROOT/setid.mat              as Oxford 102's (scipy.io.savemat)
    ROOT/text_c10/class_00001/image_00001.txt ...     ten captions, one per line
    ROOT/text_c10/class_00001/image_00001.json ...    the image's attributes and geometry

ROOT is OUT/synthetic-flowers, OUT being --out or the user cache (as `--data-dir OUT` finds).

The set is drawn into a temporary folder beside ROOT, which is renamed to ROOT only once
complete (an existing ROOT is replaced the same way), so a reader never sees half a set.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from ganforge.data.captioned.flowers import caption_path, image_path
from ganforge.data.synthetic_flowers.captions import captions_for
from ganforge.data.synthetic_flowers.draw import draw
from ganforge.data.synthetic_flowers.out_folder import (
    MARKER,
    check_replaceable,
    die_with_parent,
    remove_stale,
    umask_mode,
)
from ganforge.data.synthetic_flowers.params import FlowerParams, sample_params
from ganforge.data.synthetic_flowers.species import (
    NAME,
    SEED,
    all_species,
    labels_and_splits,
)
from ganforge.errors import DataError
from ganforge.fileio import cache_root, raise_if_disk_full

CHUNK = 256  # images drawn at once
QUALITY = 95
CHECKED = (1, 2, 4096, 8189)  # images whose captions say whether a made set is current


def attributes_of(params: FlowerParams) -> dict[str, Any]:
    """The JSON record of one image: its attributes, species and geometry."""
    s = params.species
    return {"image": params.image_id, "species": s.name, "petal_colour": s.petal_colour,
            "centre_colour": s.centre_colour, "petal_count": s.petal_count,
            "petal_shape": s.petal_shape, "size": params.size,
            "petal_rgb": list(params.petal_rgb), "centre_rgb": list(params.centre_rgb),
            "geometry": params.geometry()}


def image_params(ids: Sequence[int]) -> list[FlowerParams]:
    """The parameters of images `ids` (1-based)."""
    species = all_species()
    labels, _ = labels_and_splits()
    return [sample_params(i, species[labels[i - 1] - 1]) for i in ids]


def encode_jpeg(image: np.ndarray) -> bytes:
    from PIL import Image  # Pillow and scipy: imported on use (CLI start-up time)

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=QUALITY, subsampling=0)
    return buffer.getvalue()


def image_captions(params: FlowerParams) -> list[str]:
    """The captions the set holds for one image (no drawing needed)."""
    return captions_for(attributes_of(params), np.random.default_rng([SEED, params.image_id, 1]))


def captions_current(root: Path, ids: Sequence[int] = CHECKED) -> bool:
    """Whether the captions of images `ids` under `root` are those this ganforge writes (a
    set made before its captions changed has others); a caption file that cannot be read
    counts as current (the reader reports it)."""
    labels, _ = labels_and_splits()
    for p in image_params(ids):
        try:
            text = caption_path(root, p.image_id, int(labels[p.image_id - 1])).read_text(
                encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if text.splitlines() != image_captions(p):
            return False
    return True


def write_chunk(root: Path, ids: Sequence[int]) -> int:
    """Draw images `ids` and write their JPEGs, captions and attributes under `root`."""
    labels, _ = labels_and_splits()
    params = image_params(ids)
    for p, image in zip(params, draw(params), strict=True):
        record = attributes_of(p)
        image_path(root, p.image_id).write_bytes(encode_jpeg(image))
        text = caption_path(root, p.image_id, int(labels[p.image_id - 1]))
        text.write_text("\n".join(image_captions(p)) + "\n", encoding="utf-8")
        text.with_suffix(".json").write_text(json.dumps(record, sort_keys=True) + "\n")
    return len(params)


def write_mat(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """A MATLAB v5 file of 1 x N arrays, with a fixed header (savemat's holds the time)."""
    from scipy.io import savemat  # scipy: an optional dependency, imported on use

    buffer = io.BytesIO()
    savemat(buffer, {k: v[None] for k, v in arrays.items()})
    header = f"MATLAB 5.0 MAT-file, written by ganforge ({NAME})".encode().ljust(116)
    path.write_bytes(header + buffer.getvalue()[116:])


def _write_all(root: Path, workers: int) -> None:
    labels, splits = labels_and_splits()
    (root / "jpg").mkdir(parents=True)
    for label in range(1, int(labels.max()) + 1):
        (root / "text_c10" / f"class_{label:05d}").mkdir(parents=True)
    write_mat(root / "imagelabels.mat", {"labels": labels.astype(np.uint8)})
    write_mat(root / "setid.mat", {k: v.astype(np.uint16) for k, v in splits.items()})
    ids = list(range(1, len(labels) + 1))
    chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    if workers <= 1:
        for chunk in chunks:
            write_chunk(root, chunk)
        return
    with ProcessPoolExecutor(workers, initializer=die_with_parent,
                             initargs=(os.getpid(),)) as pool:  # no orphan after a kill -9
        list(pool.map(write_chunk, [root] * len(chunks), chunks))


def make(out: Path | str | None = None, workers: int | None = None,
         log: Callable[[str], None] | None = None, force: bool = False) -> Path:
    """Write the whole set into `out`/synthetic-flowers (default `out`: the user cache), where
    `--data-dir out` finds it; returns that folder. An existing folder there is replaced only
    when it is a complete earlier make (or with `force`, saying what it held)."""
    root = (Path(out).expanduser() if out is not None else cache_root()) / NAME
    workers = min(2, os.cpu_count() or 1) if workers is None else workers
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(root.parent, root.name)  # what a killed make left
        replaced = check_replaceable(root, force)
        tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.{os.getpid()}.", suffix=".tmp",
                                    dir=root.parent))
    except OSError as exc:
        raise DataError(f"{root}: cannot write the data set here ({exc.strerror})") from None
    if replaced is not None and log is not None:
        log(f"replacing {root}: it {replaced}")
    start = time.perf_counter()
    try:
        _write_all(tmp, workers)
        (tmp / MARKER).write_text(f"{NAME}\n", encoding="utf-8")  # last: the set is whole
        os.chmod(tmp, umask_mode())  # mkdtemp's 0700 -> what the user's umask gives
        _replace(tmp, root)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise_if_disk_full(exc, root, None)
        raise
    if log is not None:
        log(f"{NAME}: {len(labels_and_splits()[0])} images written to {root} in "
            f"{time.perf_counter() - start:.1f} s")
    return root


def _replace(tmp: Path, root: Path) -> None:
    """Rename the finished `tmp` to `root`; an existing `root` is moved aside first."""
    if not root.exists():
        os.replace(tmp, root)
        return
    if not root.is_dir():
        raise DataError(f"{root}: exists and is not a folder")
    old = root.with_name(f".{root.name}.old-{os.getpid()}")
    os.replace(root, old)
    os.replace(tmp, root)
    shutil.rmtree(old, ignore_errors=True)
