"""Training curves for ganforge runs: losses and discriminator outputs per step.

Matplotlib is imported lazily and only through ``matplotlib.figure.Figure`` (no pyplot),
so plotting works headless, never touches global backend state and costs nothing at
import time.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ganforge.fileio import atomic_write

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PathLike = str | os.PathLike[str]

_AUTO_SMOOTH_MIN_STEPS = 50  # below this many points, the raw curves are readable alone
_AUTO_SMOOTH_FRACTION = 25  # automatic window = number of points // this
_MAX_EPOCH_LINES = 200  # more boundaries than this would only grey out the plot
_DPI = 100


def _step_of(record: Mapping[str, Any], index: int) -> float:
    """The record's step as a float, or its position when it has none."""
    step = record.get("step")
    return float(index) if step is None else float(step)


def _step_key(record: Mapping[str, Any]) -> float:
    """Sort key: the record's step, with records lacking one kept last."""
    step = record.get("step")
    return math.inf if step is None else float(step)


def _series(records: Sequence[Mapping[str, Any]], key: str) -> tuple[np.ndarray, np.ndarray]:
    """Steps and values of ``key``; records without it, or with None/NaN/inf, are skipped."""
    pairs = [
        (_step_of(r, i), float(r[key])) for i, r in enumerate(records) if r.get(key) is not None
    ]
    points = np.asarray(pairs, dtype=np.float64).reshape(-1, 2)
    points = points[np.isfinite(points[:, 1])]
    return points[:, 0], points[:, 1]


def _window(n: int, smooth: int) -> int:
    """Moving-average window: ``smooth`` if > 0, else automatic (1 means no smoothing)."""
    if smooth > 0:
        return smooth
    if n < _AUTO_SMOOTH_MIN_STEPS:
        return 1
    return max(2, n // _AUTO_SMOOTH_FRACTION)


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over ``window`` points; the result has ``len(values) - window + 1`` items."""
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    if len(values) < window:
        return np.empty(0, dtype=np.float64)
    sums = np.cumsum(np.concatenate(([0.0], np.asarray(values, dtype=np.float64))))
    return (sums[window:] - sums[:-window]) / window


def _plot_series(
    ax: Axes, steps: np.ndarray, values: np.ndarray, label: str, colour: str, window: int
) -> None:
    """Draw one raw curve (thin) and, if ``window`` > 1, its moving average (thick)."""
    if len(values) == 0:
        return
    marker = "o" if len(values) < 2 else None
    smoothed = moving_average(values, window) if window > 1 else np.empty(0)
    if len(smoothed) == 0:
        ax.plot(steps, values, color=colour, linewidth=1.0, marker=marker, label=label)
        return
    ax.plot(steps, values, color=colour, linewidth=0.6, alpha=0.35, label=f"{label} (raw)")
    ax.plot(
        steps[window - 1 :],
        smoothed,
        color=colour,
        linewidth=1.6,
        label=f"{label} (mean of {window})",
    )


def _epoch_boundaries(records: Sequence[Mapping[str, Any]]) -> list[float]:
    """Steps at which the epoch number changes from the previous record."""
    bounds: list[float] = []
    previous = None
    for i, record in enumerate(records):
        epoch = record.get("epoch")
        if previous is not None and epoch is not None and epoch != previous:
            bounds.append(_step_of(record, i))
        previous = epoch if epoch is not None else previous
    return bounds


def _draw_panels(axes: Sequence[Axes], records: Sequence[Mapping[str, Any]], smooth: int) -> None:
    """Fill the loss panel and the D-output panel from the records."""
    loss_ax, prob_ax = axes
    window = _window(len(records), smooth)
    for key, label, colour in (("g_loss", "G loss", "tab:blue"), ("d_loss", "D loss", "tab:red")):
        _plot_series(loss_ax, *_series(records, key), label, colour, window)
    for key, label, colour in (
        ("d_real", "D(x)", "tab:green"),
        ("d_fake", "D(G(z))", "tab:orange"),
    ):
        _plot_series(prob_ax, *_series(records, key), label, colour, window)
    prob_ax.axhline(0.5, color="grey", linestyle="--", linewidth=1.0, label="0.5 (equilibrium)")
    bounds = _epoch_boundaries(records)
    if len(bounds) <= _MAX_EPOCH_LINES:
        for ax in axes:
            for step in bounds:
                ax.axvline(step, color="black", alpha=0.08, linewidth=0.8)
    loss_ax.set_ylabel("loss")
    prob_ax.set_ylabel("mean D output")
    prob_ax.set_xlabel("step")
    prob_ax.set_ylim(-0.02, 1.02)
    for ax in axes:
        ax.grid(True, alpha=0.25)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper right", fontsize="small")


def plot_losses(
    records: Sequence[Mapping[str, Any]],
    out_path: PathLike,
    smooth: int = 0,
    title: str | None = None,
) -> Path:
    """Plot GAN training curves from per-step records and save them as a PNG (dpi 100).

    Each record is a mapping with ``step``, ``epoch``, ``d_loss``, ``g_loss`` and
    optionally ``d_real`` (mean D(x)) and ``d_fake`` (mean D(G(z))). Missing or None
    values are skipped. Top panel: G and D loss; bottom panel: D(x) and D(G(z)) with a
    dashed line at 0.5. Faint vertical lines mark epoch boundaries.

    Args:
        records: the per-step records, in training order (sorted by step for plotting).
        out_path: destination PNG; parent folders are created and the write is atomic.
        smooth: moving-average window; 0 picks one automatically for long runs
            (none below 50 steps), 1 disables smoothing.
        title: optional figure title.

    Raises:
        ValueError: if there are no records or ``smooth`` is negative.
    """
    from matplotlib.figure import Figure

    if not records:
        raise ValueError("plot_losses needs at least one record")
    if smooth < 0:
        raise ValueError(f"smooth must be >= 0, got {smooth}")
    ordered = sorted(records, key=_step_key)
    fig = Figure(figsize=(8, 6), layout="constrained")
    axes = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    _draw_panels(axes, ordered, smooth)
    if title:
        fig.suptitle(title)
    return atomic_write(out_path, lambda tmp: figure_png(fig, tmp, dpi=_DPI))


def figure_png(fig: Figure, target: Any, dpi: float | str = "figure") -> None:
    """Write a figure as PNG to a path or file object. A title or legend with characters
    the font lacks (an emoji in a run's name) is drawn with boxes there, without a warning
    per character."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        fig.savefig(target, format="png", dpi=dpi)
