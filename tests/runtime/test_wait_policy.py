"""Idle CPU threads spin briefly (runtime/wait_policy.py): set before torch loads, never over
a user's own choice."""

import os
import subprocess
import sys

import pytest

from ganforge.runtime.wait_policy import SHORT_SPIN, short_spin


def test_a_short_spin_is_added_to_an_environment_without_a_choice():
    env = {"PATH": "/bin"}
    assert short_spin(env) == SHORT_SPIN
    assert env == {"PATH": "/bin", "GOMP_SPINCOUNT": "1000", "KMP_BLOCKTIME": "1"}


@pytest.mark.parametrize("chosen", ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME"])
def test_a_users_choice_is_kept_and_nothing_added(chosen):
    env = {chosen: "ACTIVE" if chosen == "OMP_WAIT_POLICY" else "300000"}
    before = dict(env)
    assert short_spin(env) == {}
    assert env == before


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in
            ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME")}


def test_importing_ganforge_sets_it_before_torch_loads():
    """`import ganforge` first: the OpenMP runtime torch loads finds the short spin."""
    code = ("import os, sys; import ganforge; assert 'torch' not in sys.modules; "
            "import torch; print(os.environ['GOMP_SPINCOUNT'], os.environ['KMP_BLOCKTIME'])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=_clean_env(), timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["1000", "1"]


def test_the_command_line_sets_it_before_any_command_runs(monkeypatch):
    import ganforge.cli as cli

    seen = {}
    monkeypatch.setattr(cli, "main", lambda: seen.update(os.environ) or 0)
    for name in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit):
        cli.entry()
    assert seen["GOMP_SPINCOUNT"] == "1000"
