"""What the grid benchmarks (study.py, best.py) share: runs spread over worker processes, and
table cells that show the mean of the seeds and each seed's value."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
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


def finished_rows(root: str, name: str) -> list[dict[str, Any]]:
    """The rows that earlier runs left in ROOT/DATA SET/RUN/NAME (for --reuse)."""
    import json
    from pathlib import Path

    return [json.loads(p.read_text()) for p in sorted(Path(root).glob(f"*/*/{name}"))]
