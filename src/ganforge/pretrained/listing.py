"""The rows of `ganforge pretrained list`: each record's fields checked for type before use,
so a malformed record (in a folder given with --dir) is one reason, never a traceback."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ganforge.errors import CheckpointError, GanforgeError, cut


def _object(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key, {})
    if not isinstance(value, dict):
        raise CheckpointError(f"'{key}' must be an object, got {cut(repr(value), 40)}")
    return value


def _number(parent: dict[str, Any], key: str, fmt: str) -> str:
    value = parent.get(key)
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value):
        raise CheckpointError(f"'{key}' must be a number, got {cut(repr(value), 40)}")
    return fmt.format(value)


def _fd(metrics: dict[str, Any]) -> str:
    """FD with two decimals, or three significant digits below 1 (the FDs of an evaluator
    fitted to a folder can be far below 0.01, which two decimals would show as 0.00)."""
    text = _number(metrics, "fd", "{:.2f}")
    return _number(metrics, "fd", "{:.3g}") if text != "-" and abs(metrics["fd"]) < 1 else text


def _whole(parent: dict[str, Any], key: str) -> int:
    value = parent[key]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**9:
        raise CheckpointError(f"'{key}' must be a whole number, got {cut(repr(value), 40)}")
    return value


def _text(parent: dict[str, Any], key: str, default: str) -> str:
    value = parent.get(key, default)
    if not isinstance(value, str):
        raise CheckpointError(f"'{key}' must be a string, got {cut(repr(value), 40)}")
    return cut(value.encode("unicode_escape").decode("ascii"), 40)  # no control characters


def summary_row(entry: dict[str, Any], size: int) -> list[str]:
    """One row: name, model, data set, MB, FD, coverage, precision, recall, class alignment
    (text-to-image only), n. A field of the wrong type is a CheckpointError naming it."""
    record = entry["pretrained"]
    evaluation = _object(record, "evaluation")
    metrics = _object(evaluation, "metrics")
    coverage = (f"{_whole(metrics, 'coverage')}/{_whole(metrics, 'num_classes')}"
                if "coverage" in metrics and "num_classes" in metrics else "-")
    alignment = _number(_object(evaluation, "alignment"), "class", "{:.3f}")
    n = "-" if evaluation.get("n") is None else str(_whole(evaluation, "n"))
    return [_text(record, "name", "?"), _text(record, "arch", "None"),
            _text(record, "dataset", "None"), f"{size / 2**20:.2f}",
            _fd(metrics), coverage, _number(metrics, "precision", "{:.3f}"),
            _number(metrics, "recall", "{:.3f}"), alignment, n]


def list_rows(folder: Path) -> tuple[list[list[str]], list[str]]:
    """The rows of the sound records in `folder` and a warning for each skipped one."""
    from ganforge.pretrained.store import entry_path, known_names, read_entry

    rows, warnings = [], []
    for name in known_names(folder):
        try:
            entry = read_entry(name, folder)
            tensors = folder / Path(str(entry.get("tensors", ""))).name
            rows.append(summary_row(entry, tensors.stat().st_size if tensors.is_file() else 0))
        except GanforgeError as exc:
            reason = str(exc).removeprefix(f"{entry_path(name, folder)}: ")
            warnings.append(f"warning: {entry_path(name, folder)}: skipped ({reason})")
    return rows, warnings
