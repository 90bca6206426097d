"""Going back on purpose: a resume from a checkpoint older than others in its run sets the
later line aside in RUN/superseded/ before metrics.jsonl is cut, so the run keeps one line
that resumes, samples and ends as a run never sent back would; a kill on the way leaves a
run that resumes."""

import os
import shutil
from types import SimpleNamespace

import pytest

from ganforge.config import resolve_config
from ganforge.runs import superseded
from ganforge.runs.checkpoint import newest_checkpoint, read_checkpoint
from ganforge.runs.folder import ReadOnlyFolder, RunFolder
from ganforge.runtime.distributed import DistContext
from ganforge.sampling.generator import load_generator
from ganforge.training import resume_point
from ganforge.training.run import resume, train
from tests.training.test_resume import SMALL, _assert_same_run

BACK = "checkpoints/step_0000002.json"


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """A run trained through (SMALL: 2 generator steps an epoch, 3 epochs, keep 2):
    step_0000002 (epoch 1), step_0000004 (epoch 2) and final (step 6)."""
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None:
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    os.environ.setdefault("GANFORGE_DATA", str(REAL_DATA_ROOT))
    out = tmp_path_factory.mktemp("first") / "run"
    train(resolve_config("mlp-mnist", overrides=SMALL), out, progress=False)
    return out


def _copy(run, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(run, out)
    return out


def _tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".lock"}


def _aside(out):
    [folder] = [p for p in (out / "superseded").iterdir()]
    return folder


def test_going_back_sets_the_later_line_aside_and_ends_as_the_run_never_left(
        tmp_path, first):
    out = _copy(first, tmp_path)
    before = _tree(out)
    said = []
    resume(out, checkpoint=out / BACK, progress=False, warn=said.append)
    _assert_same_run(first, out)  # the new line ends bit-identical to the first one
    aside = _aside(out)
    assert aside.name.startswith("after-step-2-to-6_")
    assert any(line.startswith("set aside the run's line after step 2 (2 checkpoint(s) up "
                               "to step 6, metrics.jsonl as it was, 2 sample grid(s)) in ")
               and line.endswith(str(aside)) for line in said), said
    assert (aside / "metrics.jsonl").read_bytes() == before["metrics.jsonl"]  # pre-cut
    assert sorted(p.name for p in (aside / "checkpoints").iterdir()) == [
        "final.json", "final.safetensors", "step_0000004.json", "step_0000004.safetensors"]
    for name in ("checkpoints/final.safetensors", "samples/epoch_002.png", "config.toml"):
        assert (aside / name).read_bytes() == before[name], name
    assert load_generator(aside).step == 6  # the set-aside line is a run folder of its own


def test_the_new_line_is_the_newest_and_resumes_without_falling_back(tmp_path, first):
    out = _copy(first, tmp_path)
    resume(out, {"max_steps": "3"}, checkpoint=out / BACK, progress=False,
           warn=lambda line: None)
    assert newest_checkpoint(out).name == "final.json"
    assert load_generator(out).step == 3  # what sample, evaluate, serve and export take
    said = []
    resume(out, {"max_steps": "6"}, progress=False, warn=said.append)
    assert not any("falling back" in line or "set aside" in line for line in said), said
    _assert_same_run(first, out)
    assert len(list((out / "superseded").iterdir())) == 1


class Killed(BaseException):
    """A kill -9: nothing after it runs in the process."""


def test_a_kill_while_moving_leaves_a_run_that_resumes_and_is_put_back(
        tmp_path, first, monkeypatch):
    out = _copy(first, tmp_path)
    before, real, calls = _tree(out), os.replace, []

    def replace(src, dst):  # the second move is killed; nothing cleans up after it
        calls.append(src)
        if len(calls) == 2:
            raise Killed
        return real(src, dst)

    monkeypatch.setattr(superseded.os, "replace", replace)
    monkeypatch.setattr(superseded, "_put_back_quietly", lambda run, partial: None)
    with pytest.raises(Killed):
        resume(out, checkpoint=out / BACK, progress=False, warn=lambda line: None)
    monkeypatch.undo()
    assert (out / "metrics.jsonl").read_bytes() == before["metrics.jsonl"]  # not cut
    assert load_generator(out).step == 4  # the newest left, whole and of this line
    said = []
    resume(out, checkpoint=out / BACK, progress=False, warn=said.append)
    assert said[0].startswith("put back what an unfinished set-aside had moved into ")
    assert any(line.startswith("set aside the run's line after step 2") for line in said)
    _assert_same_run(first, out)
    assert (_aside(out) / "metrics.jsonl").read_bytes() == before["metrics.jsonl"]


def test_a_kill_after_the_set_aside_before_the_cut_resumes_from_the_point(
        tmp_path, first, monkeypatch):
    out = _copy(first, tmp_path)
    metrics = (out / "metrics.jsonl").read_bytes()
    real = resume_point.set_aside

    def set_aside_then_die(*args, **kwargs):
        real(*args, **kwargs)
        raise Killed

    monkeypatch.setattr(resume_point, "set_aside", set_aside_then_die)
    with pytest.raises(Killed):
        resume(out, checkpoint=out / BACK, progress=False, warn=lambda line: None)
    monkeypatch.undo()
    assert (out / "metrics.jsonl").read_bytes() == metrics
    assert newest_checkpoint(out).name == "step_0000002.json"
    said = []
    resume(out, progress=False, warn=said.append)  # the newest: where it went back to
    assert not any("falling back" in line for line in said), said
    _assert_same_run(first, out)


def test_a_run_at_its_end_is_left_as_it_is(tmp_path, first):
    out = _copy(first, tmp_path)
    before = _tree(out)
    said = []
    resume(out, {"epochs": "2"}, checkpoint=out / "checkpoints/step_0000004.json",
           progress=False, warn=said.append)
    assert any(line.startswith("nothing to train") for line in said), said
    assert _tree(out) == before  # metrics.jsonl not cut, final not set aside


@pytest.mark.parametrize("rank", [0, 1])
def test_only_the_writer_moves_anything(tmp_path, first, rank):
    out = _copy(first, tmp_path)
    before = _tree(out)
    meta = read_checkpoint(out / BACK)[0]
    folder = RunFolder(out) if rank == 0 else ReadOnlyFolder(out)
    loop = SimpleNamespace(dist=DistContext(rank=rank, world_size=2), folder=folder)
    said = []
    resume_point.go_on_from(loop, meta, out / BACK, said.append)
    assert (out / "superseded").exists() == (rank == 0)
    assert bool(said) == (rank == 0)
    if rank == 1:
        assert _tree(out) == before


def test_a_rank_that_writes_nothing_waits_for_the_put_back(tmp_path, first,
                                                           monkeypatch):
    out = _copy(first, tmp_path)
    partial = out / "superseded" / ".partial-after-step-4-to-6_x"
    (partial / "checkpoints").mkdir(parents=True)
    final = out / "checkpoints" / "final.json"
    final.rename(partial / "checkpoints" / "final.json")
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "1")
    waited = []
    monkeypatch.setattr(resume_point, "wait_for_put_back", waited.append)
    path, _, _ = resume_point.starting_point(RunFolder(out), None, lambda line: None)
    assert waited and partial.is_dir() and not final.exists()  # rank 1 moved nothing
    assert path.name == "step_0000004.json"
    monkeypatch.setenv("RANK", "0")
    said = []
    resume_point.starting_point(RunFolder(out), None, said.append)
    assert final.exists() and not partial.exists() and len(said) == 1


def test_cli_going_back_says_where_the_later_line_went(tmp_path, first, capsys):
    from ganforge.cli import main

    out = _copy(first, tmp_path)
    assert main(["train", "--resume", str(out / BACK), "--no-progress",
                 "--eval-every", "0"]) == 0
    stdout = capsys.readouterr().out
    assert f"set aside the run's line after step 2 (2 checkpoint(s) up to step 6, " \
           f"metrics.jsonl as it was, 2 sample grid(s)) in {_aside(out)}" in stdout
    _assert_same_run(first, out)


def test_cli_a_file_where_superseded_goes_is_one_line_and_changes_nothing(
        tmp_path, first, capsys):
    from ganforge.cli import main

    out = _copy(first, tmp_path)
    (out / "superseded").write_text("notes")
    before = _tree(out)
    assert main(["train", "--resume", str(out / BACK), "--no-progress",
                 "--eval-every", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"ganforge: error: {out / 'superseded'}: not a folder"], err
    assert _tree(out) == before
