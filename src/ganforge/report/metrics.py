"""Read numbers out of a run's records without knowing the evaluation's keys in advance.

An evaluation record's numeric key `k` is a metric; when a key `k_real` exists too, it is
`k`'s real-data floor (the same measure between two sets of real images), drawn dashed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ganforge.report.html import fmt

NOT_METRICS = frozenset({"kind", "epoch", "step", "n"})
STEP_STATS = ("g_loss", "d_loss", "d_real", "d_fake")
STEP_LABELS = {"g_loss": "G loss", "d_loss": "D loss", "d_real": "D(x)", "d_fake": "D(G(z))"}


@dataclass(frozen=True)
class Metric:
    key: str
    floor: str | None  # the `<key>_real` partner, if the records have one

    @property
    def label(self) -> str:
        return self.key.replace("_", " ")


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool)."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def metric_keys(evals: Sequence[dict[str, Any]]) -> list[Metric]:
    """Every numeric evaluation key in first-seen order, each with its floor when present."""
    keys: dict[str, None] = {}
    for record in evals:
        for key, value in record.items():
            if key not in NOT_METRICS and is_number(value):
                keys.setdefault(key)
    floors = {f"{k}_real" for k in keys if f"{k}_real" in keys}
    return [Metric(k, f"{k}_real" if f"{k}_real" in keys else None)
            for k in keys if k not in floors]


def series(records: Sequence[dict[str, Any]], key: str, x: str = "epoch") -> tuple[list, list]:
    """(x values, key values) of the records holding a number under both, in x order."""
    points = sorted((r[x], r[key]) for r in records if is_number(r.get(x))
                    and is_number(r.get(key)))
    return [p[0] for p in points], [p[1] for p in points]


def epoch_means(steps: Sequence[dict[str, Any]]) -> dict[int, dict[str, float]]:
    """epoch -> mean of each step statistic over that epoch's records."""
    sums: dict[int, dict[str, list[float]]] = {}
    for record in steps:
        epoch = record.get("epoch")
        if not isinstance(epoch, int):
            continue
        for key in STEP_STATS:
            if is_number(record.get(key)):
                sums.setdefault(epoch, {}).setdefault(key, []).append(record[key])
    return {e: {k: sum(v) / len(v) for k, v in stats.items()} for e, stats in sorted(sums.items())}


def last_epoch_stats(steps: Sequence[dict[str, Any]]) -> dict[str, float]:
    """The step statistics averaged over the last epoch that has records."""
    means = epoch_means(steps)
    return means[max(means)] if means else {}


def last_eval(evals: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The evaluation record of the highest step (the final one), or {}."""
    if not evals:
        return {}
    return max(evals, key=lambda r: (r.get("step") or 0, r.get("epoch") or 0))


def with_floor(record: dict[str, Any], metric: Metric) -> str:
    """'12.3 (real 1.05)' for a metric with a floor, '12.3' without, '-' when missing."""
    value = record.get(metric.key)
    if not is_number(value):
        return "-"
    text = fmt(value)
    if metric.floor and is_number(record.get(metric.floor)):
        text += f" (real {fmt(record[metric.floor])})"
    return text


def evaluated_figures(result: dict[str, Any]) -> dict[str, tuple[str, str] | None]:
    """An eval.json's figures as `ganforge evaluate` prints them, in its table's order:
    label -> (generated, real data), None for a figure the file holds malformed."""
    from ganforge.metrics.summary import ROWS, cell

    figures: dict[str, tuple[str, str] | None] = {}
    for key, label, form in ROWS:
        if key in result["metrics"]:
            try:
                figures[label] = (cell(key, form, result["metrics"]),
                                  cell(key, form, result["real"]))
            except (KeyError, TypeError, ValueError):
                figures[label] = None
    return figures
