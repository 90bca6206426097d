"""`data make synthetic-flowers` never deletes what it did not make, writes with the user's
umask, says "disk full" in one line, leaves no worker behind a kill -9, and a later make
removes the temporary folder such a kill left (issue 37, classes 5 and 6)."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ganforge.data.synthetic_flowers import make as maker
from ganforge.data.synthetic_flowers.out_folder import MARKER
from ganforge.errors import DataError, DiskFullError


@pytest.fixture
def quick(monkeypatch):
    """make() with one chunk that writes one file: the folder logic without the drawing."""
    monkeypatch.setattr(maker, "CHUNK", 100_000)
    monkeypatch.setattr(maker, "write_chunk",
                        lambda root, ids: (root / "jpg" / "image_00001.jpg").write_bytes(b"x"))


def test_a_users_file_in_the_target_is_refused_and_kept(tmp_path, quick):
    thesis = tmp_path / "out" / "synthetic-flowers" / "mine" / "thesis.txt"
    thesis.parent.mkdir(parents=True)
    thesis.write_text("four years of work")
    with pytest.raises(DataError, match=r"holds files ganforge did not make \(mine/thesis.txt\)"):
        maker.make(tmp_path / "out", workers=1)
    assert thesis.read_text() == "four years of work"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["synthetic-flowers"]


def test_force_replaces_it_and_says_what_it_replaced(tmp_path, quick):
    thesis = tmp_path / "out" / "synthetic-flowers" / "mine" / "thesis.txt"
    thesis.parent.mkdir(parents=True)
    thesis.write_text("x")
    said = []
    maker.make(tmp_path / "out", workers=1, log=said.append, force=True)
    assert not thesis.exists()
    assert any("replacing" in line and "mine/thesis.txt" in line for line in said), said


def test_a_complete_earlier_make_is_replaced(tmp_path, quick):
    root = maker.make(tmp_path / "out", workers=1)
    assert (root / MARKER).is_file()
    (root / "jpg" / "image_00001.jpg").write_bytes(b"old")
    assert maker.make(tmp_path / "out", workers=1) == root
    assert (root / "jpg" / "image_00001.jpg").read_bytes() == b"x"


def test_an_earlier_make_with_a_stray_file_is_refused(tmp_path, quick):
    root = maker.make(tmp_path / "out", workers=1)
    (root / "jpg" / "holiday.png").write_bytes(b"mine")
    with pytest.raises(DataError, match="jpg/holiday.png"):
        maker.make(tmp_path / "out", workers=1)
    assert (root / "jpg" / "holiday.png").read_bytes() == b"mine"


@pytest.mark.parametrize("umask,mode", [(0o022, 0o755), (0o077, 0o700), (0o002, 0o775)])
def test_the_folder_mode_follows_the_umask(tmp_path, quick, umask, mode):
    old = os.umask(umask)
    try:
        root = maker.make(tmp_path / "out", workers=1)
    finally:
        os.umask(old)
    assert root.stat().st_mode & 0o777 == mode
    assert (root / "jpg").stat().st_mode & 0o777 == mode


def test_disk_full_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    def full(root, ids):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(maker, "write_chunk", full)
    with pytest.raises(DiskFullError, match=r"synthetic-flowers: disk full"):
        maker.make(tmp_path / "out", workers=1)
    assert list((tmp_path / "out").iterdir()) == []


def test_a_later_make_removes_a_stale_temporary_folder(tmp_path, quick):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "out"
    stale = out / f".synthetic-flowers.{dead.pid}.abc12345.tmp"
    (stale / "jpg").mkdir(parents=True)
    (stale / "jpg" / "image_00001.jpg").write_bytes(b"x" * 1000)
    live = out / f".synthetic-flowers.{os.getpid()}.def45678.tmp"  # a make running now
    live.mkdir()
    mine = out / ".synthetic-flowers.notes.tmp"  # not a name make gives: not touched
    mine.mkdir()
    maker.make(out, workers=1)
    assert not stale.exists() and live.is_dir() and mine.is_dir()


SLOW_MAKE = """
import sys, time
from ganforge.data.synthetic_flowers import make as maker

def slow(root, ids):
    time.sleep(120)

maker.write_chunk = slow
maker.make(sys.argv[1], workers=2)
"""


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux)")
def test_kill_9_of_make_leaves_no_worker_running(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", SLOW_MAKE, str(tmp_path / "out")])
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        workers = _children(parent.pid)
    assert len(workers) == 2, "the pool did not start"
    time.sleep(1.0)  # the workers are inside write_chunk
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [w for w in workers if _alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert not left, f"workers {left} outlived the killed make"


def test_the_readers_image_cache_beside_a_made_set_counts_as_ganforges(tmp_path):
    from ganforge.data.synthetic_flowers.out_folder import check_replaceable, strangers

    root = tmp_path / "synthetic-flowers"
    (root / "jpg").mkdir(parents=True)
    (root / MARKER).write_text("synthetic-flowers\n")
    (root / "images64-0581d08b385508b943fbcb17.safetensors").write_bytes(b"cache")
    assert strangers(root) == [] and check_replaceable(root, force=False) is None
    (root / "images64-notes.safetensors").write_bytes(b"not hex: not the reader's")
    assert strangers(root) == ["images64-notes.safetensors"]
