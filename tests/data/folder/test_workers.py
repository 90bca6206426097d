"""Preparing a folder on every core from a user's own script that has no
`if __name__ == "__main__":` guard (or from standard input) finishes: the spawned workers
do not run the script again."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ganforge.data.folder.prepare import POOL_FROM
from tests.data.folder.conftest import make_folder

SCRIPT = """
from ganforge.data import load_dataset
print("train", len(load_dataset({folder!r}, "train")))
"""


@pytest.mark.parametrize("how", ["file", "stdin"])
def test_an_unguarded_script_prepares_a_folder_on_every_core(tmp_path, how):
    folder = make_folder(tmp_path / "pics", POOL_FROM + 6)
    script = SCRIPT.format(folder=str(folder))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1"}
    if how == "file":
        (tmp_path / "snip.py").write_text(script)
        command, text = [sys.executable, str(tmp_path / "snip.py")], None
    else:
        command, text = [sys.executable, "-"], script
    result = subprocess.run(command, input=text, capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [f"train {POOL_FROM + 6 - 7}"]
    assert "bootstrapping" not in result.stderr


def test_workers_leave_ctrl_c_to_the_caller_from_their_start():
    import signal

    from ganforge.data.folder.workers import worker_pool

    before = signal.getsignal(signal.SIGINT)
    with worker_pool(2) as pool:
        assert signal.getsignal(signal.SIGINT) is before  # the caller's own is back at once
        seen = pool.map(signal.getsignal, [signal.SIGINT] * 2)
    assert all(handler == signal.SIG_IGN for handler in seen)
