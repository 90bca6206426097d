"""eval.png: the in-training evaluations over epochs, each figure with its real-data floor
as a dashed line (matplotlib's Figure, no pyplot: headless and free of global state)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ganforge.fileio import atomic_write_bytes
from ganforge.viz.plots import figure_png

# (record key, axis title); a panel is drawn when the records carry its key.
PANELS = (
    ("fd", "Frechet distance (evaluator features)"),
    ("coverage", "classes covered"),
    ("precision", "precision"),
    ("recall", "recall"),
    ("modes", "stacked-MNIST modes hit"),
    ("kl_uniform", "KL(class histogram || uniform)"),
)


def _panels(records: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(k, t) for k, t in PANELS if any(r.get(k) is not None for r in records)]


def plot_eval(records: Sequence[dict[str, Any]], out: Path | str) -> Path:
    """Draw each evaluated figure over epochs (real-data floor dashed) into the PNG `out`."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    panels = _panels(records)
    cols = min(3, max(1, len(panels)))
    rows = max(1, -(-len(panels) // cols))
    fig = Figure(figsize=(4.2 * cols, 3.2 * rows), dpi=100, layout="constrained")
    n = records[-1].get("n", "?") if records else "?"
    fig.suptitle(f"evaluation during training ({n} samples each)")
    for i, (key, title) in enumerate(panels):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        points = [(r["epoch"], r[key]) for r in records if r.get(key) is not None]
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label="generated")
        floor = [(r["epoch"], r[f"{key}_real"]) for r in records
                 if r.get(f"{key}_real") is not None]
        if floor:
            ax.plot([p[0] for p in floor], [p[1] for p in floor], linestyle="--",
                    color="grey", label="real data")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    buffer = io.BytesIO()
    figure_png(fig, buffer)
    return atomic_write_bytes(out, buffer.getvalue())
