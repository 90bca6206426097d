"""How long torch's idle CPU threads spin before they sleep: short, so that trainings that
share a machine (two runs at once, a sweep, a notebook beside a run) do not burn the cores
the others are waiting for.

torch's CPU kernels run on an OpenMP thread team (GNU libgomp in the pip wheels, Intel's
runtime in some other builds). Between two parallel operations its threads wait for the next
one by spinning: libgomp spins 300,000 times (milliseconds on a modern x86, where each pause
instruction takes about 140 cycles), Intel's runtime 200 ms. Alone on a machine that costs
nothing. With other busy processes, each spinning thread holds a core that the other threads
of its own team need to finish the operation, and every run slows down many times over.

ganforge sets a short spin (libgomp's own "throttled" count, and 1 ms for Intel's runtime)
before torch is imported, unless the user has chosen: any of OMP_WAIT_POLICY,
GOMP_SPINCOUNT or KMP_BLOCKTIME already set is kept, and then nothing is added. The values
are read once, when the OpenMP runtime loads (with torch), so a process that imported torch
before ganforge keeps its runtime's defaults. This module imports no torch.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

SHORT_SPIN = {"GOMP_SPINCOUNT": "1000", "KMP_BLOCKTIME": "1"}
USER_CHOICES = ("OMP_WAIT_POLICY", *SHORT_SPIN)


def short_spin(environ: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Add SHORT_SPIN to `environ` (os.environ by default) unless a wait policy is already
    chosen there; returns the variables added ({} when the user chose)."""
    environ = os.environ if environ is None else environ
    if any(name in environ for name in USER_CHOICES):
        return {}
    environ.update(SHORT_SPIN)
    return dict(SHORT_SPIN)
