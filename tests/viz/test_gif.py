"""Tests for ganforge.viz.gif: one GIF frame per input, captions, scaling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence

from ganforge.viz import make_gif


def _write_frames(folder: Path, values: list[int], mode: str = "L") -> list[Path]:
    paths = []
    for i, value in enumerate(values):
        path = folder / f"frame{i}.png"
        colour = value if mode == "L" else (value, 255 - value, 40)
        Image.new(mode, (12, 10), colour).save(path)
        paths.append(path)
    return paths


def _frames(path: Path) -> list[np.ndarray]:
    with Image.open(path) as im:
        return [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(im)]


def test_identical_frames_are_kept(tmp_path: Path) -> None:
    paths = _write_frames(tmp_path, [90] * 4)
    out = make_gif(paths, tmp_path / "a" / "same.gif", duration_ms=120)
    with Image.open(out) as im:
        assert im.format == "GIF"
        assert im.n_frames == 4
        assert im.info.get("loop") == 0
        durations = []
        for frame in ImageSequence.Iterator(im):
            durations.append(frame.info["duration"])
        assert durations == [120] * 4


def test_greyscale_frames_content(tmp_path: Path) -> None:
    values = [0, 100, 100, 255]
    paths = _write_frames(tmp_path, values)
    frames = _frames(make_gif(paths, tmp_path / "grey.gif"))
    assert len(frames) == len(values)
    for frame, value in zip(frames, values, strict=True):
        assert frame.shape == (10, 12, 3)
        assert (frame == value).all()


def test_colour_frames_and_scale(tmp_path: Path) -> None:
    paths = _write_frames(tmp_path, [10, 200, 200], mode="RGB")
    frames = _frames(make_gif(paths, tmp_path / "rgb.gif", scale=2))
    assert len(frames) == 3
    assert frames[0].shape == (20, 24, 3)
    assert frames[1][0, 0].tolist() == [200, 55, 40]


def test_labels_add_strip(tmp_path: Path) -> None:
    paths = _write_frames(tmp_path, [128] * 3)
    labels = ["epoch 1", "epoch 2", "epoch 3"]
    out = make_gif(paths, tmp_path / "cap.gif", labels=labels, scale=4)
    frames = _frames(out)
    assert len(frames) == 3
    height = frames[0].shape[0]
    assert height > 40
    strip = frames[0][40:]
    assert strip.max() > 200  # white caption text on the black strip
    assert (frames[0][:40] == 128).all()  # the frame itself is untouched


def test_single_frame(tmp_path: Path) -> None:
    out = make_gif(_write_frames(tmp_path, [7]), tmp_path / "one.gif")
    with Image.open(out) as im:
        assert getattr(im, "n_frames", 1) == 1


def test_errors(tmp_path: Path) -> None:
    paths = _write_frames(tmp_path, [1, 2])
    with pytest.raises(ValueError):
        make_gif([], tmp_path / "x.gif")
    with pytest.raises(ValueError):
        make_gif(paths, tmp_path / "x.gif", labels=["only one"])
    Image.new("L", (5, 5)).save(tmp_path / "small.png")
    with pytest.raises(ValueError):
        make_gif([*paths, tmp_path / "small.png"], tmp_path / "x.gif")
    assert not (tmp_path / "x.gif").exists()
