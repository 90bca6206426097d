"""The report's curves as PNG bytes: losses over steps, evaluation metrics over epochs (with
real-data floors dashed) and per-epoch training statistics of several runs on shared axes.

Matplotlib is used through `matplotlib.figure.Figure` only (no pyplot, no global state) and
imported when a plot is drawn.
"""

from __future__ import annotations

import io
import math
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ganforge.report.metrics import STEP_LABELS, STEP_STATS, epoch_means, metric_keys, series
from ganforge.runs.folder import LOSSES_PLOT
from ganforge.viz.plots import figure_png

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Records = Sequence[dict[str, Any]]
_DPI = 100
_PANEL_COLUMNS = 3


def to_png(fig: Figure) -> bytes:
    """A figure as PNG bytes."""
    buffer = io.BytesIO()
    figure_png(fig, buffer, dpi=_DPI)
    return buffer.getvalue()


def loss_plot(steps: Records, title: str | None = None) -> bytes:
    """G and D loss, D(x) and D(G(z)) over steps: ganforge's losses.png, drawn afresh."""
    from ganforge.viz import plot_losses

    with tempfile.TemporaryDirectory(prefix="ganforge-report-") as folder:
        path = plot_losses(steps, Path(folder) / LOSSES_PLOT, title=title)
        return path.read_bytes()


def _panels(count: int, height: float = 2.6,
            columns: int = _PANEL_COLUMNS) -> tuple[Figure, list[Axes]]:
    """A figure with `count` panels in rows of up to `columns` (unused cells hidden)."""
    from matplotlib.figure import Figure

    columns = min(count, columns)
    rows = math.ceil(count / columns)
    fig = Figure(figsize=(3.6 * columns + 0.4, height * rows + 0.4), layout="constrained")
    grid = fig.subplots(rows, columns, squeeze=False)
    axes = [ax for row in grid for ax in row]
    for ax in axes[count:]:
        ax.set_visible(False)
    return fig, axes[:count]


def _epoch_axis(ax: Axes) -> None:
    """Epochs are whole numbers: label the x axis and keep its ticks on integers."""
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.25)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="x-small")


def _mark_single_points(xs: list, style: dict) -> dict:
    """Show a lone point as a marker (a one-point line is invisible)."""
    return {**style, "marker": "o"} if len(xs) == 1 else style


def eval_plot(runs: Mapping[str, Records]) -> bytes | None:
    """One panel per evaluation metric, one colour per run, floors dashed; None if no
    run has evaluation records."""
    metrics = metric_keys([r for evals in runs.values() for r in evals])
    if not metrics:
        return None
    fig, axes = _panels(len(metrics))
    several = len(runs) > 1
    for ax, metric in zip(axes, metrics, strict=True):
        for index, (name, evals) in enumerate(runs.items()):
            colour = f"C{index % 10}"
            xs, ys = series(evals, metric.key)
            if xs:
                style = {"color": colour, "linewidth": 1.6}
                ax.plot(xs, ys, label=name if several else "generated",
                        **_mark_single_points(xs, style))
            if metric.floor:
                fx, fy = series(evals, metric.floor)
                if fx:
                    style = {"color": colour, "linestyle": "--", "linewidth": 1.0}
                    floor_label = f"{name} real data" if several else "real data (floor)"
                    ax.plot(fx, fy, label=floor_label, **_mark_single_points(fx, style))
        ax.set_title(metric.label, fontsize="medium")
        _epoch_axis(ax)
    return to_png(fig)


def epoch_stats_plot(runs: Mapping[str, Records]) -> bytes | None:
    """Per-epoch means of G loss, D loss, D(x), D(G(z)) of several runs on shared axes."""
    means = {name: epoch_means(steps) for name, steps in runs.items()}
    if not any(means.values()):
        return None
    fig, axes = _panels(len(STEP_STATS), height=2.8, columns=2)
    for ax, key in zip(axes, STEP_STATS, strict=True):
        for index, (name, per_epoch) in enumerate(means.items()):
            xs = [e for e, stats in per_epoch.items() if key in stats]
            ys = [per_epoch[e][key] for e in xs]
            if xs:
                style = {"color": f"C{index % 10}", "linewidth": 1.6}
                ax.plot(xs, ys, label=name, **_mark_single_points(xs, style))
        if key in ("d_real", "d_fake"):
            ax.axhline(0.5, color="grey", linestyle=":", linewidth=1.0)
            ax.set_ylim(-0.02, 1.02)
        ax.set_title(f"{STEP_LABELS[key]} (epoch mean)", fontsize="medium")
        _epoch_axis(ax)
    return to_png(fig)
