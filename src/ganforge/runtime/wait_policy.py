"""How long torch's idle CPU threads spin before they sleep: libgomp's own long spin when the
machine is idle as the process starts, a short one when other processes are running, so that
trainings that share a machine (two runs at once, a sweep) do not burn the cores the others
are waiting for.

torch's CPU kernels run on an OpenMP thread team (GNU libgomp in the pip wheels, Intel's
runtime in some other builds). Between two parallel operations its threads wait for the next
one by spinning: libgomp spins 300,000 times (milliseconds on a modern x86, where each pause
instruction takes about 140 cycles), Intel's runtime 200 ms. Alone on a machine the spin is
what keeps a training step fast: threads that slept between operations would be woken
hundreds of times a step (a short spin cost one dcgan-mnist run about 10% of its speed on an
idle machine, docs/performance.md). With other busy processes, each spinning thread holds a
core that the other threads of its own team need to finish the operation, and every run
slows down many times over.

The spin is read once, when the OpenMP runtime loads (with torch), so it is chosen then, from
what is running at that moment: `choose_spin` counts the other threads the kernel has
running or ready to run (/proc/loadavg's running count, less this one) over about 30 ms,
waiting busily between readings, and when there is on average at least half a thread of
other work, sets SHORT_SPIN (libgomp's own "throttled" count, and 1 ms for Intel's runtime);
else it leaves the runtime's default (IDLE_SPIN adds nothing). Runs started together see
each other starting up. A run started alone keeps the long spin as its start-up setting; while
it trains, runtime/busy_watch.py shortens every wait whenever other work comes to its cores
(docs/performance.md measures both).
The spin changes no result, only how threads wait. A user's own choice (any of
OMP_WAIT_POLICY, GOMP_SPINCOUNT or KMP_BLOCKTIME already set) is kept, and then nothing is
looked at or added. Where /proc/loadavg cannot be read (not Linux), nothing is added. This
module imports no torch.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, MutableMapping

SHORT_SPIN = {"GOMP_SPINCOUNT": "1000", "KMP_BLOCKTIME": "1"}
IDLE_SPIN: dict[str, str] = {}  # on an idle machine: the runtime's own spin (measured best)
USER_CHOICES = ("OMP_WAIT_POLICY", *SHORT_SPIN)
BUSY_THREADS = 0.5  # other threads running, on average, from which the spin is short
SAMPLES, GAP_S = 20, 0.0015  # the look at the machine: 20 readings over about 30 ms
LOOKED: set[bool] = set()  # {True} once this process's own environment was chosen for
ADDED: dict[str, str] = {}  # what choose_spin added to this process's own environment


def running_threads(path: str = "/proc/loadavg") -> int | None:
    """Threads the kernel has running or ready to run now, this one included (the part
    before the slash of /proc/loadavg's fourth field); None where it cannot be read."""
    try:
        with open(path, encoding="ascii") as file:
            return int(file.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return None


def others_running(read: Callable[[], int | None] = running_threads, samples: int = SAMPLES,
                   gap_s: float = GAP_S) -> float | None:
    """The mean number of other threads running over `samples` readings `gap_s` apart
    (None where the count cannot be read). The wait between readings is busy, not a sleep:
    processes started together look at once, and a sleeping look would hide each from the
    other."""
    counts = []
    for i in range(samples):
        count = read()
        if count is None:
            return None
        counts.append(max(0, count - 1))
        until = time.perf_counter() + (gap_s if i + 1 < samples else 0.0)
        while time.perf_counter() < until:
            pass
    return sum(counts) / samples


def choose_spin(environ: MutableMapping[str, str] | None = None,
                others: Callable[[], float | None] | None = None) -> dict[str, str]:
    """Add SHORT_SPIN to `environ` (os.environ by default) when other threads are running,
    unless a wait policy is already chosen there; returns the variables added ({} when the
    user chose, the machine is idle, or it cannot be told)."""
    own = environ is None  # this process's own environment: looked at once
    environ = os.environ if environ is None else environ
    if any(name in environ for name in USER_CHOICES) or (own and LOOKED):
        return {}
    busy = (others or others_running)()
    chosen = IDLE_SPIN if busy is None or busy < BUSY_THREADS else SHORT_SPIN
    environ.update(chosen)
    if own:  # `import ganforge` chose; the command line's entry does not look again
        LOOKED.add(True)
        ADDED.update(chosen)
    return dict(chosen)


def users_spin(environ: MutableMapping[str, str] | None = None) -> bool:
    """Whether a wait policy in `environ` (os.environ by default) is the user's own, not one
    choose_spin added to this process."""
    environ = os.environ if environ is None else environ
    return any(name in environ and environ[name] != ADDED.get(name) for name in USER_CHOICES)
