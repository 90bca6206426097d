"""Ctrl-C and SIGTERM during training: finish the current step, checkpoint, exit non-zero.
A second Ctrl-C exits at once."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ganforge.training.observers import LoopView


@contextmanager
def stop_on_signals(loop: LoopView) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be installed from the main thread
        return

    def handler(signum, frame):
        name = signal.Signals(signum).name
        if loop.stop_signal:
            signal.signal(signum, signal.SIG_DFL)
            raise KeyboardInterrupt
        loop.stop_signal = name
        print(f"\n{name}: finishing the current step, then saving a checkpoint "
              "(press Ctrl-C again to quit at once)", file=sys.stderr, flush=True)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)
