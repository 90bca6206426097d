"""Folders of procedural images the tests draw with Pillow: mixed sizes, modes and formats,
class subfolders, captions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

FORMATS = (("RGB", ".png"), ("L", ".jpg"), ("RGBA", ".png"), ("P", ".gif"), ("RGB", ".webp"),
           ("RGB", ".bmp"), ("I;16", ".png"), ("RGB", ".tiff"), ("LA", ".png"))


def draw(path: Path, index: int, size: tuple[int, int] | None = None,
         mode_ext: tuple[str, str] | None = None) -> Path:
    """A procedural image: a coloured disc on a gradient, of a size and mode that vary with
    `index` (or those given)."""
    rng = np.random.default_rng(index)
    w, h = size or (int(rng.integers(24, 90)), int(rng.integers(24, 90)))
    mode, ext = mode_ext or FORMATS[index % len(FORMATS)]
    yy, xx = np.mgrid[0:h, 0:w]
    colour = rng.integers(0, 256, 3)
    disc = ((xx - w / 2) ** 2 + (yy - h / 2) ** 2) < (min(w, h) / 3) ** 2
    rgb = np.where(disc[..., None], colour, (xx * 255 // max(w - 1, 1))[..., None])
    image = Image.fromarray(rgb.astype(np.uint8), "RGB")
    if mode == "I;16":
        image = Image.fromarray(rgb[..., 0].astype(np.uint16) * 257)
    elif mode != "RGB":
        image = image.convert(mode)
    path = path.with_suffix(ext)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path


def make_folder(root: Path, n: int, classes: tuple[str, ...] = (), captions: str = "",
                ) -> Path:
    """`n` images under `root` (in class subfolders when `classes`); captions "jsonl",
    "csv" or "txt" (two per image) or none."""
    rows = []
    for i in range(n):
        sub = classes[i % len(classes)] if classes else ""
        path = draw(root / sub / f"img{i:04d}", i)
        name = path.relative_to(root).as_posix()
        texts = [f"a picture number {i}", f"a {'dark' if i % 2 else 'bright'} disc"]
        rows.append({"file_name": name, "text": texts})
        if captions == "txt":
            path.with_suffix(".txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
    if captions == "jsonl":
        (root / "metadata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    elif captions == "csv":
        lines = ["file_name,text"] + [f"{r['file_name']},{t}" for r in rows for t in r["text"]]
        (root / "metadata.csv").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """40 images of mixed modes in two class subfolders, two captions each in metadata.jsonl."""
    return make_folder(tmp_path / "pets", 40, ("cat", "dog"), "jsonl")
