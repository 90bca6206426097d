"""Images as a grid a notebook shows inline: `ganforge.show(images)` returns a `Grid`, whose
`_repr_png_` Jupyter (and IPython's rich display) calls, so the last line of a cell

    ganforge.show(ganforge.generate(ganforge.load_pretrained("best-fashion"), n=64))

draws the 64 images without saving a file. `Grid.save(path)` writes the same PNG.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from ganforge.viz.grid import PathLike, make_grid, to_uint8, upscale

DISPLAY_WIDTH = 512  # pixels a grid is enlarged towards by default (integer factors only)


class Grid:
    """A grid of images in [-1, 1] (N, C, H, W) (a torch tensor or an array), or of uint8
    images (N, H, W[, 3]); enlarged by nearest neighbour by `scale` (default: the largest
    integer factor that keeps it within about 512 px, at least 1)."""

    def __init__(self, images: Any, nrow: int | None = None, scale: int | None = None,
                 padding: int = 2):
        pixels = np.asarray(images) if _is_uint8(images) else to_uint8(images)
        grid = make_grid(pixels, nrow=nrow, padding=padding)
        if scale is None:
            scale = max(1, DISPLAY_WIDTH // grid.shape[1])
        self.pixels = upscale(grid, scale)  # (H, W) or (H, W, 3) uint8
        self.count = len(pixels)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.pixels.shape[1], self.pixels.shape[0]

    def png(self) -> bytes:
        """The grid as PNG bytes."""
        from PIL import Image

        buffer = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(self.pixels)).save(buffer, format="PNG")
        return buffer.getvalue()

    def _repr_png_(self) -> bytes:  # Jupyter's rich display
        return self.png()

    def save(self, path: PathLike) -> Path:
        """Write the grid as a PNG file (atomically) and return its path."""
        from ganforge.fileio import atomic_write_bytes

        return atomic_write_bytes(Path(path), self.png())

    def __repr__(self) -> str:
        width, height = self.size
        return f"<Grid of {self.count} images, {width}x{height} px>"


def show(images: Any, nrow: int | None = None, scale: int | None = None) -> Grid:
    """The images as a `Grid`: shown inline as the last value of a notebook cell (IPython's
    `display(grid)` anywhere else); see Grid for what `images` may be."""
    return Grid(images, nrow=nrow, scale=scale)


def _is_uint8(images: Any) -> bool:
    return isinstance(images, np.ndarray) and images.dtype == np.uint8
