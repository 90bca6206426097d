"""A pool of worker processes for preparing images, safe to start from any caller.

Workers are spawned (not forked: the parent may hold torch's thread pools and locks). A
spawned worker normally runs the parent's `__main__` again before its first job: a user's
script or `python - < file` without an `if __name__ == "__main__":` guard would then run once
more in every worker, and each worker, trying to start a pool of its own while it starts,
would die and be replaced without end. The workers need nothing from `__main__` (their
function lives in ganforge), so it is hidden from them while they start.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
import threading
from collections.abc import Iterator
from multiprocessing.pool import Pool


@contextlib.contextmanager
def _main_hidden() -> Iterator[None]:
    """While the block runs, spawned processes do not import the parent's __main__ (neither
    by module name, `python -m`, nor by path, a script)."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    spec, had_file = getattr(main, "__spec__", None), "__file__" in vars(main)
    path = vars(main).get("__file__")
    main.__spec__ = None
    if had_file:
        del main.__file__
    try:
        yield
    finally:
        main.__spec__ = spec
        if had_file:
            main.__file__ = path


@contextlib.contextmanager
def _interrupts_left_to_the_caller() -> Iterator[None]:
    """While the block spawns workers, SIGINT is ignored, and a process started then keeps
    ignoring it from its first instruction (an ignored signal stays ignored across exec).
    Ctrl-C reaches every process of the terminal's group: each worker printed a traceback,
    even one still importing. The caller alone stops the pool and says it once."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are the main thread's to set
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def worker_pool(processes: int) -> Iterator[Pool]:
    """`processes` spawned workers that start without the caller's __main__ and leave
    Ctrl-C to the caller."""
    with _main_hidden(), _interrupts_left_to_the_caller():
        pool = multiprocessing.get_context("spawn").Pool(processes)
    with pool:
        yield pool
