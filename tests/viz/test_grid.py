"""Tests for ganforge.viz.grid: uint8 conversion, grids and PNG export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ganforge.viz import make_grid, save_grid, save_png_dir, to_uint8, upscale


def test_to_uint8_exact_values_and_rounding() -> None:
    # (x + 1) * 127.5 rounded half up: 0 -> 127.5 -> 128.
    x = torch.tensor([-1.0, 1.0, 0.0, -3.0, 7.0, 0.5, -0.5]).reshape(1, 1, 1, 7)
    out = to_uint8(x)
    assert out.dtype == np.uint8
    assert out.shape == (1, 1, 7)
    assert out[0, 0].tolist() == [0, 255, 128, 0, 255, 191, 64]


def test_to_uint8_accepts_numpy_and_grad_tensors() -> None:
    arr = np.zeros((2, 1, 3, 3), dtype=np.float32)
    assert (to_uint8(arr) == 128).all()
    t = torch.zeros(2, 3, 4, 5, requires_grad=True)
    out = to_uint8(t)
    assert out.shape == (2, 4, 5, 3)


def test_to_uint8_channel_layout() -> None:
    x = -torch.ones(1, 3, 2, 2)
    x[0, 1] = 1.0  # green channel only
    out = to_uint8(x)
    assert out[0, 0, 0].tolist() == [0, 255, 0]


def test_to_uint8_nan_is_black() -> None:
    x = torch.full((1, 1, 1, 1), float("nan"))
    assert to_uint8(x)[0, 0, 0] == 0


@pytest.mark.parametrize("shape", [(1, 2, 4, 4), (3, 4, 4), (1, 4, 4, 4, 1)])
def test_to_uint8_rejects_bad_shapes(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        to_uint8(np.zeros(shape))


def test_grid_shape_greyscale() -> None:
    images = np.zeros((25, 28, 28), dtype=np.uint8)
    assert make_grid(images, nrow=5, padding=2).shape == (152, 152)
    assert make_grid(images).shape == (152, 152)  # default nrow = ceil(sqrt(25)) = 5


def test_grid_shape_colour_and_partial_rows() -> None:
    images = np.zeros((7, 8, 10, 3), dtype=np.uint8)
    grid = make_grid(images, nrow=3, padding=1)
    assert grid.shape == (3 * 9 + 1, 3 * 11 + 1, 3)
    assert grid.dtype == np.uint8


def test_grid_placement_and_pad_value() -> None:
    images = np.stack([np.full((2, 2), v, dtype=np.uint8) for v in (10, 20, 30)])
    grid = make_grid(images, nrow=2, padding=1, pad_value=255)
    assert grid.shape == (7, 7)
    assert (grid[1:3, 1:3] == 10).all()
    assert (grid[1:3, 4:6] == 20).all()
    assert (grid[4:6, 1:3] == 30).all()
    assert (grid[4:6, 4:6] == 255).all()  # empty cell
    assert grid[0, 0] == 255


def test_grid_nrow_capped_at_n() -> None:
    images = np.zeros((2, 4, 4), dtype=np.uint8)
    assert make_grid(images, nrow=10, padding=0).shape == (4, 8)


def test_grid_rejects_float_input() -> None:
    with pytest.raises(ValueError):
        make_grid(np.zeros((2, 4, 4), dtype=np.float32))


def test_upscale_nearest() -> None:
    img = np.array([[1, 2], [3, 4]], dtype=np.uint8)
    assert upscale(img, 2).tolist() == [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]


@pytest.mark.parametrize("channels", [1, 3])
def test_save_grid_png_round_trip(tmp_path: Path, channels: int) -> None:
    gen = torch.Generator().manual_seed(0)
    images = torch.rand(6, channels, 5, 7, generator=gen) * 2 - 1
    path = save_grid(images, tmp_path / "sub" / "grid.png", nrow=3)
    expected = make_grid(to_uint8(images), nrow=3)
    with Image.open(path) as im:
        assert im.format == "PNG"
        np.testing.assert_array_equal(np.asarray(im), expected)
    assert [p.name for p in path.parent.iterdir()] == ["grid.png"]  # no temp file left


def test_save_grid_scale(tmp_path: Path) -> None:
    images = torch.zeros(4, 1, 3, 3)
    path = save_grid(images, tmp_path / "g.png", scale=3)
    expected = upscale(make_grid(to_uint8(images)), 3)
    with Image.open(path) as im:
        assert im.size == (3 * 12, 3 * 12)  # grid 2 * (3 + 2) + 2 = 12
        np.testing.assert_array_equal(np.asarray(im), expected)


def test_save_grid_replaces_existing(tmp_path: Path) -> None:
    path = tmp_path / "g.png"
    save_grid(-torch.ones(1, 1, 4, 4), path)
    save_grid(torch.ones(1, 1, 4, 4), path, padding=0)
    with Image.open(path) as im:
        assert (np.asarray(im) == 255).all()


def test_save_png_dir(tmp_path: Path) -> None:
    images = torch.linspace(-1, 1, 5).reshape(5, 1, 1, 1).expand(5, 1, 4, 4)
    paths = save_png_dir(images, tmp_path / "out")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [f"{i:06d}.png" for i in range(5)]
    assert [p.name for p in paths] == names
    pixels = to_uint8(images)
    for i, path in enumerate(paths):
        with Image.open(path) as im:
            np.testing.assert_array_equal(np.asarray(im), pixels[i])
