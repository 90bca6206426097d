"""Generator output -> PNG bytes in memory (a grid, or one file per image)."""

from __future__ import annotations

import base64
import io

import numpy as np
import torch

# zlib level 1: the images are tiny and a server answers faster with light compression.
_COMPRESS_LEVEL = 1


def encode_png(pixels: np.ndarray) -> bytes:
    """One (H, W) or (H, W, 3) uint8 image as PNG bytes."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(
        buffer, format="PNG", compress_level=_COMPRESS_LEVEL
    )
    return buffer.getvalue()


def grid_png(images: torch.Tensor, nrow: int | None = None) -> bytes:
    """[-1, 1] images (N, C, H, W) tiled into one PNG grid (ceil(sqrt(N)) per row by default)."""
    from ganforge.viz import make_grid, to_uint8

    return encode_png(make_grid(to_uint8(images), nrow=nrow))


def base64_pngs(images: torch.Tensor) -> list[str]:
    """[-1, 1] images (N, C, H, W) as one base64-encoded PNG each."""
    from ganforge.viz import to_uint8

    return [base64.b64encode(encode_png(image)).decode("ascii") for image in to_uint8(images)]
