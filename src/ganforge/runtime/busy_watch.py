"""Shorten the spin of torch's idle CPU threads while other work runs on this process's
cores, and give the long spin back when it stops: for a run that started alone and then
finds another run, a sweep or a notebook beside it.

runtime/wait_policy.py chooses the spin once, as the process starts, because libgomp reads
GOMP_SPINCOUNT only then. But libgomp also has a second, short count (100 pauses) that it uses
at every wait while it manages more threads than the process has cores. So a thread that
opens an OpenMP team of its own and keeps it (`hold_extra_team`: a two-thread operation, then
it waits) turns every later wait in the process to the short spin; when that thread ends, its
team goes and the long spin is back. Thread counts and team sizes do not change, so no result
changes, only how idle threads wait.

`BusyWatch` looks every `interval_s` at how much of this process's cores other processes used
since its last look (/proc/stat for the cores in its affinity, less this process's own time
from /proc/self/stat). From `engage_cores` on average over `engage_looks` looks it holds the
extra team; it lets it go once the others used less than `release_cores` for `release_looks`
looks. It does nothing (`watch_cores` gives a null context) where it cannot help or must not:
not Linux, an OpenMP runtime other than libgomp, fewer torch threads than cores (idle threads
then have cores of their own), or a wait policy the user chose (wait_policy.users_spin)."""

from __future__ import annotations

import contextlib
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

from ganforge.runtime.wait_policy import users_spin

EXTRA_TEAM_ELEMENTS = 40_000  # > torch's grain (32,768): an elementwise op on two threads


def proc_cores() -> list[int]:
    """The cores this process may run on."""
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return list(range(os.cpu_count() or 1))


def busy_ticks(cores: list[int], path: str = "/proc/stat") -> int | None:
    """Clock ticks the `cores` spent busy (user, nice, system, irq, softirq) since boot;
    None where /proc/stat cannot be read."""
    wanted = {f"cpu{core}" for core in cores}
    total = 0
    try:
        with open(path, encoding="ascii") as file:
            for line in file:
                fields = line.split()
                if fields and fields[0] in wanted:
                    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields[1:8])
                    total += user + nice + system + irq + softirq
    except (OSError, ValueError):
        return None
    return total


def own_ticks(path: str = "/proc/self/stat") -> int | None:
    """Clock ticks this process has run (user + system, all its threads); None where
    /proc/self/stat cannot be read."""
    try:
        with open(path, encoding="ascii") as file:
            fields = file.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    except (OSError, ValueError, IndexError):
        return None


def others_ticks(cores: list[int]) -> int | None:
    """Busy ticks on `cores` not spent by this process (None where they cannot be read)."""
    busy, own = busy_ticks(cores), own_ticks()
    return None if busy is None or own is None else busy - own


@dataclass
class Decision:
    """When to hold the extra team, from the others' mean use of the cores (in cores)."""

    engage_cores: float = 0.5
    engage_looks: int = 2
    release_cores: float = 0.25
    release_looks: int = 6

    def __post_init__(self) -> None:
        self.looks: deque[float] = deque(maxlen=max(self.engage_looks, self.release_looks))

    def update(self, cores_used: float, engaged: bool) -> bool:
        """Whether to hold the extra team after one more look."""
        self.looks.append(cores_used)
        recent = list(self.looks)
        if not engaged:
            last = recent[-self.engage_looks:]
            return len(last) == self.engage_looks and sum(last) / len(last) >= self.engage_cores
        last = recent[-self.release_looks:]
        return not (len(last) == self.release_looks and max(last) < self.release_cores)


def hold_extra_team(release: threading.Event, opened: threading.Event) -> None:
    """Open a two-thread OpenMP team in this thread, say so, and keep it until `release`."""
    torch.ones(EXTRA_TEAM_ELEMENTS).add_(1)
    opened.set()
    release.wait()


class BusyWatch:
    """A daemon thread that holds an extra OpenMP team while other processes use this
    process's cores (see the module's docstring)."""

    def __init__(self, interval_s: float = 0.5, decision: Decision | None = None,
                 others: Callable[[], int | None] | None = None,
                 hz: int | None = None) -> None:
        cores = proc_cores()
        self.others = others or (lambda: others_ticks(cores))
        self.hz = hz or os.sysconf("SC_CLK_TCK")
        self.interval_s, self.decision = interval_s, decision or Decision()
        self.engagements = 0  # times the extra team was opened (for tests and reports)
        self._stop, self._release = threading.Event(), threading.Event()
        self._holder: threading.Thread | None = None
        self._thread = threading.Thread(target=self._watch, name="ganforge-busy-watch",
                                        daemon=True)

    @property
    def engaged(self) -> bool:
        return self._holder is not None

    def start(self) -> BusyWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._let_go()

    def _watch(self) -> None:
        before = self.others()
        while before is not None and not self._stop.wait(self.interval_s):
            now = self.others()
            if now is None:
                break
            used = (now - before) / (self.hz * self.interval_s)
            before = now
            wanted = self.decision.update(used, self.engaged)
            if wanted and not self.engaged:
                self._hold()
            elif self.engaged and not wanted:
                self._let_go()

    def _hold(self) -> None:
        opened, self._release = threading.Event(), threading.Event()
        holder = threading.Thread(target=hold_extra_team, args=(self._release, opened),
                                  name="ganforge-extra-team", daemon=True)
        holder.start()
        opened.wait()
        self.engagements += 1
        self._holder = holder  # engaged from here: the team is open

    def _let_go(self) -> None:
        if self._holder is not None:
            self._release.set()
            self._holder.join()  # the thread's end frees its team: the long spin is back
            self._holder = None


def can_help(device: torch.device) -> str | None:
    """Why a BusyWatch would not help a process training on `device` (None when it would)."""
    if device.type != "cpu":
        return f"training on {device.type}"
    if not os.path.exists("/proc/stat"):
        return "no /proc/stat (not Linux)"
    if users_spin():
        return "the user chose a wait policy"
    if torch.get_num_threads() < len(proc_cores()):
        return "fewer torch threads than cores"
    try:
        with open("/proc/self/maps", encoding="ascii", errors="replace") as maps:
            if "libgomp" not in maps.read():
                return "torch's OpenMP runtime is not libgomp"
    except OSError:
        return "no /proc/self/maps"
    return None


@contextlib.contextmanager
def watch_cores(device: torch.device) -> Iterator[BusyWatch | None]:
    """Run a BusyWatch for the body's duration where it can help a run on `device` (else
    yield None)."""
    if can_help(device) is not None:
        yield None
        return
    watch = BusyWatch().start()
    try:
        yield watch
    finally:
        watch.stop()
