"""What the grid benchmarks (study.py, best.py) share: runs spread over worker processes,
table cells that show the mean of the seeds and each seed's value, and the record of which
command trained each data set's runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any


def run_tasks(fn: Callable[..., Any], tasks: Sequence[tuple], jobs: int) -> list[Any]:
    """fn(*task) for every task, in --jobs fresh processes (in this one when jobs is 1)."""
    if jobs == 1:
        return [fn(*task) for task in tasks]
    with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(fn, *task) for task in tasks]
        return [f.result() for f in futures]


def cell(values: list[float], fmt: str) -> str:
    """Mean of the seeds, then each seed's value in brackets."""
    mean = sum(values) / len(values)
    return fmt.format(mean) + (f" ({', '.join(fmt.format(v) for v in values)})"
                               if len(values) > 1 else "")


def group_runs(rows: list[dict[str, Any]], field: str, value: str, by: str,
               order: Sequence[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The rows whose `field` is `value`, grouped by their `by` field (the groups in `order`
    when given, else as first met among the rows sorted by seed), each group by seed."""
    def key(row: dict[str, Any]) -> tuple[int, int]:
        return (list(order).index(row[by]) if order is not None else 0, row["seed"])

    out: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=key):
        if row[field] == value:
            out.setdefault(row[by], []).append(row)
    return out


def finished_rows(root: str, name: str) -> list[dict[str, Any]]:
    """The rows that earlier runs left in ROOT/DATA SET/RUN/NAME (for --reuse)."""
    import json

    return [json.loads(p.read_text()) for p in sorted(Path(root).glob(f"*/*/{name}"))]


def record_command(summary: Path, datasets: list[str], entry: dict[str, Any]) -> dict[str, dict]:
    """Record ENTRY (the command, its seconds, ...) in the JSON file SUMMARY under each data
    set the command trained, replacing what an earlier command left for them; returns every
    data set's record, so the halves of a benchmark can be run apart."""
    import json

    ran = json.loads(summary.read_text()) if summary.exists() else {}
    ran.update({d: entry for d in datasets})
    summary.parent.mkdir(parents=True, exist_ok=True)
    summary.write_text(json.dumps(ran, indent=1) + "\n")
    return ran


def commands(ran: dict[str, dict]) -> list[dict[str, Any]]:
    """The distinct command records of a summary (one per command, in order)."""
    return list({entry["command"]: entry for entry in ran.values()}.values())


def reused(root: str, name: str, command: str) -> tuple[list[dict[str, Any]], float, str]:
    """For --reuse: the rows earlier runs left in ROOT (their NAME files), the seconds of the
    commands that trained them and those commands, from the summary ROOT/NAME (`command`
    when there is none)."""
    import json

    summary = Path(root) / name
    done = commands(json.loads(summary.read_text())) if summary.exists() else []
    elapsed = sum(e["seconds"] for e in done) if done else float("nan")
    return finished_rows(root, name), elapsed, "` and `".join(e["command"] for e in done) \
        or command
