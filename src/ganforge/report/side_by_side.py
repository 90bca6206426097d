"""One animation of several runs' sample grids, side by side, one frame per epoch.

Each frame shows every run's grid of that epoch under the run's name. A run that has no
grid for an epoch shows its latest earlier grid (a shorter run holds its last frame), or a
blank cell before its first grid. Grids of different sizes are centred on a common cell
size, and greyscale grids are turned into RGB so all runs share one frame.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ganforge.report.run_data import RunData

if TYPE_CHECKING:
    from PIL import Image, ImageDraw

_SMALL = 200  # cells narrower than this are enlarged 2x (28x28 digit grids)
_GAP = 6
_HEADER = 18
_BACKGROUND = (40, 40, 40)
_TEXT = (255, 255, 255)


def frame_epochs(runs: Sequence[RunData]) -> list[int]:
    """Every epoch for which at least one run has a grid, in order."""
    return sorted({epoch for run in runs for epoch in run.samples})


def grid_at(run: RunData, epoch: int) -> Path | None:
    """The run's grid for `epoch`, else its latest earlier one, else None."""
    earlier = [e for e in run.samples if e <= epoch]
    return run.samples[max(earlier)] if earlier else None


def _open_rgb(path: Path, scale: int) -> Image.Image:
    from PIL import Image

    with Image.open(path) as image:
        rgb = image.convert("RGB")
    if scale > 1:
        rgb = rgb.resize((rgb.width * scale, rgb.height * scale), Image.Resampling.NEAREST)
    return rgb


def cell_layout(runs: Sequence[RunData]) -> tuple[int, tuple[int, int]]:
    """(scale for every grid, common cell size (width, height) after scaling)."""
    from PIL import Image

    sizes = []
    for run in runs:
        for path in run.samples.values():
            with Image.open(path) as image:
                sizes.append(image.size)
    width = max((s[0] for s in sizes), default=64)
    height = max((s[1] for s in sizes), default=64)
    scale = 2 if width <= _SMALL else 1
    return scale, (width * scale, height * scale)


def _fit_text(draw: ImageDraw.ImageDraw, text: str, width: int, font: Any) -> str:
    """`text`, shortened with '...' until it fits `width` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "...", font=font) > width:
        text = text[:-1]
    return text + "..."


def compose_frame(grids: Sequence[Path | None], names: Sequence[str], scale: int,
                  cell: tuple[int, int]) -> Image.Image:
    """One frame: each run's grid centred in its cell, its name above it."""
    from PIL import Image, ImageDraw, ImageFont

    cw, ch = cell
    count = len(grids)
    frame = Image.new("RGB", (count * cw + (count + 1) * _GAP, _HEADER + ch + _GAP),
                      _BACKGROUND)
    draw = ImageDraw.Draw(frame)
    font = ImageFont.load_default()
    for index, (path, name) in enumerate(zip(grids, names, strict=True)):
        left = _GAP + index * (cw + _GAP)
        label = _fit_text(draw, name, cw, font)
        draw.text((left + (cw - draw.textlength(label, font=font)) / 2, 3), label,
                  fill=_TEXT, font=font)
        if path is None:
            draw.text((left + 4, _HEADER + 4), "no grid yet", fill=_TEXT, font=font)
            continue
        grid = _open_rgb(path, scale)
        frame.paste(grid, (left + (cw - grid.width) // 2, _HEADER + (ch - grid.height) // 2))
    return frame


def write_side_by_side(runs: Sequence[RunData], names: Sequence[str], out: Path) -> list[int]:
    """Write the animation to `out` (GIF, one frame per epoch); return the frames' epochs."""
    from ganforge.viz import make_gif

    epochs = frame_epochs(runs)
    if not epochs:
        return []
    scale, cell = cell_layout(runs)
    with tempfile.TemporaryDirectory(prefix="ganforge-compare-") as folder:
        paths = []
        for epoch in epochs:
            frame = compose_frame([grid_at(r, epoch) for r in runs], names, scale, cell)
            path = Path(folder) / f"frame_{epoch:04d}.png"
            frame.save(path, format="PNG")
            paths.append(path)
        make_gif(paths, out, duration_ms=700, labels=[f"epoch {e}" for e in epochs])
    return epochs
