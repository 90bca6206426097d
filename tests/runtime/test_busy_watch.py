import os
import threading
import time

import pytest
import torch

from ganforge.runtime import busy_watch, wait_policy
from ganforge.runtime.busy_watch import BusyWatch, Decision, busy_ticks, own_ticks, watch_cores

STAT = """cpu  900 10 300 5000 20 5 7 3 0 0
cpu0 100 1 50 2000 10 2 3 1 0 0
cpu1 200 2 60 3000 10 3 4 2 0 0
cpu2 400 4 80 1000 0 0 0 0 0 0
intr 12345
"""


def test_busy_ticks_sums_the_busy_fields_of_the_given_cores_only(tmp_path):
    path = tmp_path / "stat"
    path.write_text(STAT)
    # cpu0: 100+1+50+2+3, cpu1: 200+2+60+3+4 (idle, iowait and steal left out)
    assert busy_ticks([0, 1], str(path)) == 156 + 269
    assert busy_ticks([2], str(path)) == 484
    assert busy_ticks([0], str(tmp_path / "missing")) is None


def test_own_ticks_reads_utime_and_stime_after_a_name_with_spaces_and_parentheses(tmp_path):
    path = tmp_path / "stat"
    fields = ["S"] + [str(n) for n in range(4, 14)] + ["70", "30"] + ["0"] * 30
    path.write_text("123 (a) b) " + " ".join(fields))
    assert own_ticks(str(path)) == 100
    assert own_ticks() > 0  # this process, for real


def test_decision_engages_on_two_busy_looks_and_lets_go_after_six_quiet_ones():
    decision = Decision()
    assert decision.update(0.9, engaged=False) is False  # one look is not enough
    assert decision.update(0.3, engaged=False) is True  # mean 0.6 over two looks
    for _ in range(5):
        assert decision.update(0.1, engaged=True) is True
    assert decision.update(0.1, engaged=True) is False  # six quiet looks in a row


def test_decision_keeps_the_team_while_any_recent_look_is_busy():
    decision = Decision()
    for used in [0.1, 0.1, 0.1, 0.1, 0.3]:
        assert decision.update(used, engaged=True) is True
    assert decision.update(0.1, engaged=True) is True  # 0.3 is still among the last six
    assert decision.update(0.2, engaged=False) is False


def fake_others(per_look: list[int]):
    """An `others` reading that grows by per_look[i] ticks at the i-th look (then by 0)."""
    state = {"ticks": 0, "look": 0}

    def read() -> int:
        i = state["look"]
        state["ticks"] += per_look[i] if i < len(per_look) else 0
        state["look"] += 1
        return state["ticks"]

    return read


def threads_now() -> int:
    return len(os.listdir("/proc/self/task"))


def wait_for(condition, timeout_s: float = 5.0) -> bool:
    until = time.monotonic() + timeout_s
    while time.monotonic() < until:
        if condition():
            return True
        time.sleep(0.005)
    return False


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def test_watch_opens_an_extra_team_while_others_are_busy_and_frees_it_after(two_threads):
    torch.ones(busy_watch.EXTRA_TEAM_ELEMENTS).add_(1)  # this thread's own team exists first
    base = threads_now()
    # one core's worth of others' ticks at hz 100 and 0.01 s looks is 1 tick a look
    watch = BusyWatch(interval_s=0.01, others=fake_others([0] + [1] * 4), hz=100).start()
    assert wait_for(lambda: watch.engaged)
    assert watch.engagements == 1
    names = {thread.name for thread in threading.enumerate()}
    assert "ganforge-extra-team" in names
    assert threads_now() >= base + 3  # the watch, the holder and the holder's team's worker
    assert wait_for(lambda: not watch.engaged)  # the looks after the fourth are quiet
    watch.stop()
    assert wait_for(lambda: threads_now() == base)  # the team went with its thread


def test_stopping_an_engaged_watch_lets_the_team_go(two_threads):
    watch = BusyWatch(interval_s=0.01, others=fake_others([0] + [2] * 1000), hz=100).start()
    assert wait_for(lambda: watch.engaged)
    watch.stop()
    assert not watch.engaged
    assert "ganforge-extra-team" not in {thread.name for thread in threading.enumerate()}


def test_the_held_team_changes_no_result(two_threads):
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(16, 32, 4, 2, 1)
    x = torch.randn(64, 16, 14, 14)

    def step():
        conv.zero_grad()
        out = conv(x)
        out.square().mean().backward()
        return out.detach().clone(), conv.weight.grad.clone()

    plain = step()
    release, opened = threading.Event(), threading.Event()
    holder = threading.Thread(target=busy_watch.hold_extra_team, args=(release, opened))
    holder.start()
    opened.wait()
    held = step()
    release.set()
    holder.join()
    assert torch.equal(plain[0], held[0]) and torch.equal(plain[1], held[1])


def test_watch_cores_stays_out_of_a_users_own_wait_policy(monkeypatch, two_threads):
    monkeypatch.setattr(busy_watch, "proc_cores", lambda: [0, 1])
    monkeypatch.setenv("GOMP_SPINCOUNT", "300000")
    monkeypatch.setattr(wait_policy, "ADDED", {})
    assert busy_watch.can_help(torch.device("cpu")) == "the user chose a wait policy"
    with watch_cores(torch.device("cpu")) as watch:
        assert watch is None


def test_watch_cores_runs_where_it_helps_and_not_off_the_cpu(monkeypatch, two_threads):
    monkeypatch.setattr(busy_watch, "proc_cores", lambda: [0, 1])
    for name in wait_policy.USER_CHOICES:
        monkeypatch.delenv(name, raising=False)
    assert busy_watch.can_help(torch.device("meta")) == "training on meta"
    if busy_watch.can_help(torch.device("cpu")) is not None:
        pytest.skip(busy_watch.can_help(torch.device("cpu")))
    with watch_cores(torch.device("cpu")) as watch:
        assert isinstance(watch, BusyWatch)
        assert "ganforge-busy-watch" in {thread.name for thread in threading.enumerate()}
    assert "ganforge-busy-watch" not in {thread.name for thread in threading.enumerate()}


def test_a_spin_ganforge_chose_is_not_the_users(monkeypatch):
    monkeypatch.setattr(wait_policy, "ADDED", dict(wait_policy.SHORT_SPIN))
    environ = dict(wait_policy.SHORT_SPIN)
    assert wait_policy.users_spin(environ) is False
    environ["GOMP_SPINCOUNT"] = "5"
    assert wait_policy.users_spin(environ) is True
    assert wait_policy.users_spin({"OMP_WAIT_POLICY": "PASSIVE"}) is True
    assert wait_policy.users_spin({}) is False


def test_fewer_threads_than_cores_needs_no_watch(monkeypatch):
    monkeypatch.setattr(busy_watch, "proc_cores", lambda: list(range(64)))
    for name in wait_policy.USER_CHOICES:
        monkeypatch.delenv(name, raising=False)
    assert busy_watch.can_help(torch.device("cpu")) == "fewer torch threads than cores"
