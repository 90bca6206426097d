"""Setting a run's later line aside (runs.superseded) on run folders of stand-in files:
what moves where, in what order, and what an error or a kill on the way leaves."""

import json
import os
import time

import pytest

from ganforge.errors import OutputError
from ganforge.runs import superseded
from ganforge.runs.checkpoint import newest_checkpoint, resumable_checkpoints
from ganforge.runs.folder import RunFolder
from ganforge.runs.superseded import (
    later_checkpoints,
    put_back,
    put_back_unfinished,
    set_aside,
    unfinished,
)

STEPS = (10, 20, 30)  # step checkpoints; final at 40, best at 30; 4 epochs of 10 steps
NOON = 1_700_000_000.0


def _run(tmp_path):
    """A run folder of stand-in files: 40 step records, grids of epochs 1-4."""
    run = tmp_path / "run"
    for sub in ("checkpoints", "samples"):
        (run / sub).mkdir(parents=True)
    (run / "config.toml").write_text("preset = 'x'\n")
    (run / "metrics.jsonl").write_text("".join(
        json.dumps({"kind": "step", "step": s}) + "\n" for s in range(1, 41)))
    for name, step in [*((f"step_{s:07d}", s) for s in STEPS), ("final", 40), ("best", 30)]:
        (run / "checkpoints" / f"{name}.json").write_text(json.dumps({"step": step}))
        (run / "checkpoints" / f"{name}.safetensors").write_bytes(name.encode())
    for epoch in range(1, 5):
        (run / "samples" / f"epoch_{epoch:03d}.png").write_bytes(b"png%d" % epoch)
    for name in ("progress.gif", "losses.png"):
        (run / name).write_bytes(name.encode())
    (run / "eval.json").write_text(json.dumps({"step": 40, "metrics": {}, "real": {}}))
    return RunFolder(run)


def _tree(root):
    """Every file under `root` (relative path -> bytes)."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_line_after_the_step_moves_aside_whole(tmp_path):
    run = _run(tmp_path)
    before = _tree(run.path)
    moved = set_aside(run, 10, 2, run.checkpoints / "step_0000010.json", now=NOON)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(NOON))
    aside = run.path / "superseded" / f"after-step-10-to-40_{stamp}"
    assert moved is not None and moved.folder == aside
    assert moved.line(10) == (f"set aside the run's line after step 10 (4 checkpoint(s) up "
                              f"to step 40, metrics.jsonl as it was, 3 sample grid(s)) in "
                              f"{aside}")
    left = _tree(run.path)
    assert sorted(k for k in left if not k.startswith("superseded/")) == [
        "checkpoints/step_0000010.json", "checkpoints/step_0000010.safetensors",
        "config.toml", "metrics.jsonl", "samples/epoch_001.png"]
    inside = _tree(aside)
    for name in ("checkpoints/step_0000020.json", "checkpoints/step_0000030.safetensors",
                 "checkpoints/final.json", "checkpoints/best.safetensors",
                 "samples/epoch_002.png", "samples/epoch_004.png", "progress.gif",
                 "losses.png", "eval.json", "metrics.jsonl", "config.toml"):
        assert inside[name] == before[name], name  # moved or copied as it was
    record = json.loads(inside["superseded.json"])
    assert record["step"] == 10 and record["copied"] == ["config.toml", "metrics.jsonl"]
    assert record["moved"][:2] == ["checkpoints/final.json", "checkpoints/final.safetensors"]
    assert newest_checkpoint(run.path).name == "step_0000010.json"
    assert later_checkpoints(run.path, 10) == [] and unfinished(run) == []


def test_nothing_later_moves_nothing_and_makes_no_folder(tmp_path):
    run = _run(tmp_path)
    before = _tree(run.path)
    assert set_aside(run, 40, 5, run.checkpoints / "final.json") is None
    assert _tree(run.path) == before and not (run.path / "superseded").exists()


def test_a_later_best_alone_is_no_later_line(tmp_path):
    """Killed after an evaluation wrote `best`, before the next step checkpoint: training
    again from the newest step writes that `best` again; nothing is set aside."""
    run = _run(tmp_path)
    for name in ("final", "step_0000030"):
        for suffix in (".json", ".safetensors"):
            (run.checkpoints / (name + suffix)).unlink()
    before = _tree(run.path)
    assert later_checkpoints(run.path, 20) == []
    assert set_aside(run, 20, 3, run.checkpoints / "step_0000020.json") is None
    assert _tree(run.path) == before
    assert [p.name for p in later_checkpoints(run.path, 10)] == [
        "best.json", "step_0000020.json"]  # with a later line, best goes with it


def test_a_record_that_cannot_be_read_counts_as_later(tmp_path):
    run = _run(tmp_path)
    (run.checkpoints / "best.json").write_text("{not json")
    assert [p.name for p in later_checkpoints(run.path, 30)] == ["best.json", "final.json"]
    moved = set_aside(run, 30, 4, run.checkpoints / "step_0000030.json", now=NOON)
    assert (moved.folder / "checkpoints" / "best.json").read_text() == "{not json"
    assert moved.folder.name.startswith("after-step-30-to-40_")


def test_a_second_set_aside_in_the_same_second_gets_its_own_folder(tmp_path):
    run = _run(tmp_path)
    first = set_aside(run, 30, 4, run.checkpoints / "step_0000030.json", now=NOON)
    (run.checkpoints / "final.json").write_text(json.dumps({"step": 40}))  # a line again
    second = set_aside(run, 30, 4, run.checkpoints / "step_0000030.json", now=NOON)
    assert second.folder.name == first.folder.name + "-2"
    assert (first.folder / "checkpoints" / "final.safetensors").read_bytes() == b"final"
    assert (second.folder / "checkpoints" / "final.json").is_file()


def _failing_replace(after, error):
    """os.replace that raises `error` once, after `after` calls (os is one module: the
    atomic write of superseded.json counts too)."""
    real, calls = os.replace, []

    def replace(src, dst):
        calls.append(src)
        if len(calls) == after + 1:
            raise error
        return real(src, dst)

    return replace


# 14 moves (4 checkpoints' records and tensors, 3 grids, 2 pictures, eval.json), the
# atomic write of superseded.json, then the rename of the finished folder.
@pytest.mark.parametrize("after", [0, 1, 3, 8, 14, 15])
def test_a_move_that_fails_puts_everything_back_and_is_one_line(tmp_path, monkeypatch, after):
    import errno

    run = _run(tmp_path)
    before = _tree(run.path)
    monkeypatch.setattr(superseded.os, "replace",
                        _failing_replace(after, OSError(errno.EXDEV, "Invalid cross-device link")))
    with pytest.raises(OutputError, match=r"cannot set its line after step 10 aside in .*"
                                          r"\(Invalid cross-device link\); the run is left as"):
        set_aside(run, 10, 2, run.checkpoints / "step_0000010.json")
    monkeypatch.undo()
    assert _tree(run.path) == before and unfinished(run) == []


class Killed(BaseException):
    """A kill -9 on the way: nothing after it runs in the process."""


@pytest.mark.parametrize("after", [1, 2, 5, 14, 15])
def test_a_kill_on_the_way_leaves_a_consistent_run_that_is_put_back(tmp_path, monkeypatch,
                                                                     after):
    run = _run(tmp_path)
    before = _tree(run.path)
    monkeypatch.setattr(superseded.os, "replace", _failing_replace(after, Killed()))
    monkeypatch.setattr(superseded, "_put_back_quietly", lambda run, partial: None)
    with pytest.raises(Killed):
        set_aside(run, 10, 2, run.checkpoints / "step_0000010.json")
    monkeypatch.undo()
    [partial] = unfinished(run)
    assert partial.name.startswith(".partial-after-step-10-to-40_")
    assert run.metrics.read_bytes() == before["metrics.jsonl"]  # never cut before the rename
    for record in resumable_checkpoints(run.path):  # what is left: whole checkpoints
        assert record.with_suffix(".safetensors").is_file(), record
    said = put_back_unfinished(run)
    assert said == [f"put back what an unfinished set-aside had moved into {partial}"]
    assert _tree(run.path) == before and unfinished(run) == []


def test_a_file_the_run_has_again_keeps_the_unfinished_folder_as_a_finished_one(tmp_path):
    run = _run(tmp_path)
    partial = run.path / "superseded" / ".partial-after-step-30-to-40_x"
    (partial / "checkpoints").mkdir(parents=True)
    for name in ("metrics.jsonl", "config.toml"):
        (partial / name).write_bytes((run.path / name).read_bytes())
    os.replace(run.checkpoints / "final.json", partial / "checkpoints" / "final.json")
    os.replace(run.path / "losses.png", partial / "losses.png")
    (run.path / "losses.png").write_bytes(b"drawn again")
    kept = put_back(run, partial)
    assert kept == run.path / "superseded" / "after-step-30-to-40_x" and not partial.exists()
    assert json.loads((run.checkpoints / "final.json").read_text()) == {"step": 40}
    assert (kept / "losses.png").read_bytes() == b"losses.png"
    assert (kept / "metrics.jsonl").is_file()


def test_a_superseded_file_in_the_way_is_one_line_and_moves_nothing(tmp_path):
    run = _run(tmp_path)
    (run.path / "superseded").write_text("mine")
    before = _tree(run.path)
    with pytest.raises(OutputError, match=r"superseded: not a folder"):
        set_aside(run, 10, 2, run.checkpoints / "step_0000010.json")
    assert _tree(run.path) == before


def test_a_forced_new_run_removes_the_set_aside_lines(tmp_path):
    run = _run(tmp_path)
    set_aside(run, 10, 2, run.checkpoints / "step_0000010.json")
    run.clear()
    assert not (run.path / "superseded").exists()
