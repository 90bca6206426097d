"""How idle CPU threads wait (runtime/wait_policy.py): a short spin when other threads are
running as the process starts, the runtime's own long spin on an idle machine; chosen before
torch loads, never over a user's own choice."""

import os
import subprocess
import sys

import pytest

from ganforge.runtime.wait_policy import (
    IDLE_SPIN,
    SHORT_SPIN,
    USER_CHOICES,
    choose_spin,
    others_running,
    running_threads,
)


def _busy() -> float:
    return 1.0


def _idle() -> float:
    return 0.0


def test_the_process_looks_once_however_often_it_is_asked(monkeypatch):
    import ganforge.runtime.wait_policy as wait_policy

    looks = []
    monkeypatch.setattr(wait_policy, "LOOKED", set())
    monkeypatch.setattr(wait_policy, "others_running", lambda: looks.append(1) or 0.0)
    for name in USER_CHOICES:
        monkeypatch.delenv(name, raising=False)
    choose_spin()
    choose_spin()
    assert looks == [1]


def test_a_short_spin_is_added_when_other_threads_are_running():
    env = {"PATH": "/bin"}
    assert choose_spin(env, others=_busy) == SHORT_SPIN
    assert env == {"PATH": "/bin", "GOMP_SPINCOUNT": "1000", "KMP_BLOCKTIME": "1"}


@pytest.mark.parametrize("others", [_idle, lambda: 0.375, lambda: None])
def test_an_idle_machine_or_one_that_cannot_be_read_gets_the_idle_spin(others):
    env = {"PATH": "/bin"}
    assert choose_spin(env, others=others) == IDLE_SPIN
    assert env == {"PATH": "/bin", **IDLE_SPIN}


@pytest.mark.parametrize("chosen", ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME"])
def test_a_users_choice_is_kept_and_the_machine_not_looked_at(chosen):
    env = {chosen: "ACTIVE" if chosen == "OMP_WAIT_POLICY" else "300000"}
    before = dict(env)
    assert choose_spin(env, others=lambda: pytest.fail("looked at the machine")) == {}
    assert env == before


def test_other_threads_are_the_running_count_less_this_one_averaged():
    counts = iter([1, 3, 2, 1])
    assert others_running(lambda: next(counts), samples=4, gap_s=0) == (0 + 2 + 1 + 0) / 4
    assert others_running(lambda: None, samples=4, gap_s=0) is None


def test_the_look_waits_busy_so_that_processes_started_together_see_each_other():
    """A sleeping look would hide each of two processes that look at once from the other."""
    import time

    wall, cpu = time.perf_counter(), time.process_time()
    others_running(lambda: 1, samples=3, gap_s=0.01)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert wall >= 0.02 and cpu > 0.2 * wall, (wall, cpu)


@pytest.mark.parametrize("text,count", [("0.52 0.40 0.33 3/127 14946\n", 3),
                                        ("garbage\n", None), ("1 2 3 x/127 1\n", None)])
def test_the_running_count_is_read_from_loadavg(tmp_path, text, count):
    (tmp_path / "loadavg").write_text(text)
    assert running_threads(str(tmp_path / "loadavg")) == count
    assert running_threads(str(tmp_path / "missing")) is None


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in
            ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME")}


@pytest.mark.skipif(running_threads() is None, reason="needs /proc/loadavg (Linux)")
def test_importing_ganforge_beside_a_busy_process_sets_it_before_torch_loads():
    """A process that keeps a core busy runs beside `import ganforge`: the OpenMP runtime
    torch loads then finds the short spin."""
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        code = ("import os, sys; import ganforge; assert 'torch' not in sys.modules; "
                "import torch; print(os.environ['GOMP_SPINCOUNT'], os.environ['KMP_BLOCKTIME'])")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=_clean_env(), timeout=120)
    finally:
        busy.kill()
        busy.wait()
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["1000", "1"]


@pytest.mark.parametrize("others,expected", [(_busy, "1000"),
                                             (_idle, IDLE_SPIN.get("GOMP_SPINCOUNT"))])
def test_the_command_line_chooses_before_any_command_runs(monkeypatch, others, expected):
    import ganforge.cli as cli
    import ganforge.runtime.wait_policy as wait_policy

    seen = {}
    monkeypatch.setattr(cli, "main", lambda: seen.update(os.environ) or 0)
    monkeypatch.setattr(wait_policy, "others_running", others)
    monkeypatch.setattr(wait_policy, "LOOKED", set())  # as in a process just started
    for name in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit):
        cli.entry()
    assert seen.get("GOMP_SPINCOUNT") == expected
