"""The made set, image by image: palette, background, geometry and captions follow the rules
of issue 18, whatever the drawing code does (measured on the JPEGs from the records' numbers);
the set is deterministic, written atomically, and loads through the flowers reader."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganforge.data.synthetic_flowers import make as maker
from ganforge.data.synthetic_flowers.captions import parse
from ganforge.data.synthetic_flowers.species import (
    CENTRE_COLOURS,
    COUNTS,
    PETAL_COLOURS,
    SHAPES,
    SIZES,
    labels_and_splits,
)

BASE = 0.7  # petals start at this share of the disc radius (the drawing's rule)


def records(root: Path) -> list[dict]:
    labels, _ = labels_and_splits()
    return [json.loads((root / "text_c10" / f"class_{c:05d}" / f"image_{i:05d}.json")
                       .read_text()) for i, c in enumerate(labels.tolist(), start=1)]


@pytest.fixture(scope="module")
def made(synthetic_flowers):
    recs = records(synthetic_flowers)
    images = np.stack([np.asarray(Image.open(synthetic_flowers / "jpg" / f"image_{r['image']:05d}"
                                             ".jpg").convert("RGB")) for r in recs])
    return synthetic_flowers, recs, images.astype(np.int32)  # (N, 64, 64, 3)


def nearest(rgb: np.ndarray, palette: dict[str, tuple[int, int, int]]) -> str:
    names = list(palette)
    return names[int(np.argmin([np.linalg.norm(rgb - np.array(palette[n])) for n in names]))]


def pixels(image: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    return image[np.clip(np.round(ys).astype(int), 0, 63), np.clip(np.round(xs).astype(int), 0, 63)]


def petal_axis_pixels(image: np.ndarray, g: dict, k: int) -> np.ndarray:
    """Pixels along the middle of every petal's axis."""
    base = BASE * g["disc_radius"]
    s = base + np.linspace(0.25, 0.7, 6) * (g["radius"] - base)
    angles = g["rotation"] + 2 * np.pi * np.arange(k) / k
    xs = g["cx"] + s[None] * np.cos(angles)[:, None]
    ys = g["cy"] + s[None] * np.sin(angles)[:, None]
    return pixels(image, xs.ravel(), ys.ravel())


def is_background(rgb: np.ndarray) -> np.ndarray:
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return (g - r >= 15) & (g - b >= 15) & (g < 150)


def petals_crossed(image: np.ndarray, g: dict, share: float) -> int:
    """Petals crossed by a circle at `share` of the petals' length: the gaps of background
    between them (at least 1 px of arc, so a stray pixel at a petal's edge splits nothing)."""
    base = BASE * g["disc_radius"]
    s = base + share * (g["radius"] - base)
    samples = 720
    angles = g["rotation"] + np.pi / samples + np.linspace(0, 2 * np.pi, samples, endpoint=False)
    ground = is_background(pixels(image, g["cx"] + s * np.cos(angles),
                                  g["cy"] + s * np.sin(angles)))
    ground = np.roll(ground, -int(np.argmin(ground)))  # begin inside a petal
    edges = np.flatnonzero(np.diff(np.concatenate([[0], ground.astype(int), [0]])))
    lengths = edges[1::2] - edges[::2]  # runs of background samples
    return int(np.sum(lengths >= samples / (2 * np.pi * s)))


def petal_count(image: np.ndarray, g: dict) -> int:
    """The count most circles between the disc and the tips agree on."""
    counts = [petals_crossed(image, g, share) for share in (0.5, 0.6, 0.7, 0.8, 0.9)]
    return max(set(counts), key=counts.count)


def test_every_image_is_64x64_rgb_with_oxfords_sizes(made):
    root, recs, images = made
    assert images.shape == (8189, 64, 64, 3)
    assert len(list((root / "jpg").glob("*.jpg"))) == 8189
    with Image.open(root / "jpg" / "image_00001.jpg") as first:
        assert first.format == "JPEG" and first.mode == "RGB"
    assert sum((images[..., 0] != images[..., 1]).any((1, 2))) == 8189  # colour, not grey


def test_palette_median_petal_and_centre_pixels_are_nearest_their_names(made):
    _, recs, images = made
    wrong = []
    for r, image in zip(recs, images, strict=True):
        g = r["geometry"]
        petal = np.median(petal_axis_pixels(image, g, r["petal_count"]), axis=0)
        ys, xs = np.mgrid[0:64, 0:64]
        disc = np.hypot(xs - g["cx"], ys - g["cy"]) <= 0.6 * g["disc_radius"]
        centre = np.median(image[disc], axis=0)
        if (nearest(petal, PETAL_COLOURS) != r["petal_colour"]
                or nearest(centre, CENTRE_COLOURS) != r["centre_colour"]):
            wrong.append(r["image"])
    assert wrong == []


def test_background_pixels_are_green_by_the_rule(made):
    _, recs, images = made
    ys, xs = np.mgrid[0:64, 0:64]
    bad = []
    for r, image in zip(recs, images, strict=True):
        g = r["geometry"]
        # beyond the reach of JPEG ringing from the petals' edges (4 px at quality 95)
        outside = np.hypot(xs - g["cx"], ys - g["cy"]) > g["radius"] + 5
        if not is_background(image[outside]).all():
            bad.append(r["image"])
    assert bad == []
    spread = images[:200].reshape(200, -1, 3)[..., 1].std(axis=1)
    assert spread.min() > 4  # textured, not flat


def test_geometry_rules(made):
    _, recs, images = made
    miscounted = []
    for r, image in zip(recs, images, strict=True):
        g = r["geometry"]
        assert max(abs(g["cx"] - 31.5), abs(g["cy"] - 31.5)) <= 3 / np.sqrt(2)
        assert 18 <= g["radius"] <= 28 and g["disc_radius"] >= 5
        assert 0.2 <= g["disc_radius"] / g["radius"] <= 0.35
        assert r["petal_count"] in COUNTS and r["petal_shape"] in SHAPES and r["size"] in SIZES
        if petal_count(image, g) != r["petal_count"]:
            miscounted.append(r["image"])
    assert miscounted == []
    radii = {s: [r["geometry"]["radius"] for r in recs if r["size"] == s] for s in SIZES}
    assert max(radii["small"]) < min(radii["medium"]) and max(radii["medium"]) < min(
        radii["large"])


def test_every_caption_states_only_its_images_attributes(made):
    root, recs, _ = made
    labels, _ = labels_and_splits()
    for r, label in zip(recs, labels.tolist(), strict=True):
        text = root / "text_c10" / f"class_{label:05d}" / f"image_{r['image']:05d}.txt"
        lines = text.read_text().splitlines()
        assert len(lines) == 10
        for caption in lines:
            for attribute, value in parse(caption).items():
                assert r[attribute] == value, (text, caption)


def test_making_again_is_byte_identical(made, tmp_path):
    root, _, _ = made
    labels, splits = labels_and_splits()
    ids = [1, 2, 500, 4096, 8189]
    again = tmp_path / "again"
    for i in ids:
        (again / "text_c10" / f"class_{labels[i - 1]:05d}").mkdir(parents=True, exist_ok=True)
    (again / "jpg").mkdir()
    maker.write_chunk(again, ids)
    files = [p.relative_to(again) for p in again.rglob("*") if p.is_file()]
    assert len(files) == 15
    assert all((again / f).read_bytes() == (root / f).read_bytes() for f in files)
    maker.write_mat(tmp_path / "setid.mat", {k: v.astype(np.uint16) for k, v in splits.items()})
    assert (tmp_path / "setid.mat").read_bytes() == (root / "setid.mat").read_bytes()


def test_a_failed_make_leaves_nothing(tmp_path, monkeypatch):
    def fail(root, ids):
        raise OSError("disk full")

    monkeypatch.setattr(maker, "write_chunk", fail)
    with pytest.raises(OSError, match="disk full"):
        maker.make(tmp_path / "out", workers=1)
    assert list((tmp_path / "out").iterdir()) == []


def test_make_replaces_an_existing_set_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(maker, "CHUNK", 4096)
    monkeypatch.setattr(maker, "write_chunk", lambda root, ids: (root / "jpg" / "new").touch())
    old = tmp_path / "out" / "synthetic-flowers"  # a complete earlier make (its marker)
    (old / "jpg").mkdir(parents=True)
    (old / "jpg" / "image_00009.jpg").touch()
    (old / ".ganforge-make").touch()
    assert maker.make(tmp_path / "out", workers=1) == old
    assert sorted(p.name for p in (old / "jpg").iterdir()) == ["new"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["synthetic-flowers"]
