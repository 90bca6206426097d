"""Which process speaks for a command that torchrun started several times: the writer, RANK
0 (a process on its own has no RANK). Read from the environment alone, without torch, so the
command line can ask before anything is imported."""

from __future__ import annotations

import os


def writer_process() -> bool:
    """Whether this process writes the run and says what the command says: the only one, or
    RANK 0 of those torchrun started."""
    return os.environ.get("RANK", "0") in ("", "0")
