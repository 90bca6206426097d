"""Tests for ganforge.viz.plots: training-curve PNGs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganforge.viz import moving_average, plot_losses


def _records(n: int, steps_per_epoch: int = 10) -> list[dict[str, float]]:
    return [
        {
            "step": i,
            "epoch": i // steps_per_epoch,
            "d_loss": 1.4 - 0.3 * math.sin(i / 7),
            "g_loss": 0.7 + 0.2 * math.cos(i / 5),
            "d_real": 0.6 + 0.1 * math.sin(i / 3),
            "d_fake": 0.4 - 0.1 * math.sin(i / 4),
        }
        for i in range(n)
    ]


def _check_png(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        assert im.format == "PNG"
        assert im.size == (800, 600)  # 8x6 inches at dpi 100
        pixels = np.asarray(im.convert("RGB"))
    packed = pixels.astype(np.uint32) @ np.array([1 << 16, 1 << 8, 1], dtype=np.uint32)
    assert np.unique(packed).size > 10  # not one flat colour
    return pixels


def test_plot_many_steps(tmp_path: Path) -> None:
    path = plot_losses(_records(120), tmp_path / "plots" / "losses.png")
    assert path == tmp_path / "plots" / "losses.png"
    _check_png(path)
    assert [p.name for p in path.parent.iterdir()] == ["losses.png"]


def test_plot_single_record(tmp_path: Path) -> None:
    _check_png(plot_losses(_records(1), tmp_path / "one.png"))


def test_plot_without_d_outputs(tmp_path: Path) -> None:
    records = [{k: v for k, v in r.items() if k not in ("d_real", "d_fake")} for r in _records(8)]
    _check_png(plot_losses(records, tmp_path / "no_d.png", smooth=3, title="run"))


def test_plot_tolerates_nan_and_none(tmp_path: Path) -> None:
    records = _records(60)
    records[5]["g_loss"] = float("nan")
    records[6]["d_real"] = None  # type: ignore[assignment]
    _check_png(plot_losses(records, tmp_path / "nan.png"))


def test_plot_is_pure(tmp_path: Path) -> None:
    records = _records(5)
    snapshot = [dict(r) for r in records]
    plot_losses(list(reversed(records)), tmp_path / "p.png")
    assert list(reversed(records)) == list(reversed(snapshot))


def test_plot_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        plot_losses([], tmp_path / "e.png")
    with pytest.raises(ValueError):
        plot_losses(_records(3), tmp_path / "e.png", smooth=-1)


def test_moving_average() -> None:
    np.testing.assert_allclose(moving_average(np.array([1.0, 2, 3, 4]), 2), [1.5, 2.5, 3.5])
    assert moving_average(np.array([1.0]), 3).size == 0
