"""Exact resume: a run stopped anywhere and resumed ends bit-identical to one never stopped."""

import os
import signal
import subprocess
import sys
import time

import pytest
from safetensors.torch import load_file

from ganforge.config import resolve_config
from ganforge.errors import CheckpointError, ConfigError
from ganforge.runs.checkpoint import list_checkpoints, read_checkpoint
from ganforge.training.loop import Interrupted
from ganforge.training.run import resume, train
from tests.training.stops import StopAt

# 128 images / batch 32 = 4 batches an epoch; d_steps 2 = 2 generator steps an epoch.
SMALL = {"limit": "128", "batch_size": "32", "epochs": "3", "log_every": "1",
         "g_hidden": "32,64", "d_hidden": "64,32", "d_steps": "2", "keep": "2"}



def _final(run):
    return load_file(run / "checkpoints" / "final.safetensors")


def _assert_same_run(a, b):
    ta, tb = _final(a), _final(b)
    assert ta.keys() == tb.keys()
    for key in ta:
        if not key.startswith("rng."):
            assert ta[key].equal(tb[key]), key
    assert (a / "metrics.jsonl").read_text() == (b / "metrics.jsonl").read_text()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None:
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    os.environ.setdefault("GANFORGE_DATA", str(REAL_DATA_ROOT))
    out = tmp_path_factory.mktemp("ref") / "run"
    train(resolve_config("mlp-mnist", overrides=SMALL), out, progress=False)
    return out


@pytest.mark.parametrize("stop_step", [1, 2, 3, 5])  # 2 = end of epoch 1, right at a checkpoint
def test_stop_anywhere_then_resume_is_bit_identical(tmp_path, reference, stop_step):
    out = tmp_path / "run"
    with pytest.raises(Interrupted, match="resume with: ganforge train --resume"):
        train(resolve_config("mlp-mnist", overrides=SMALL), out, progress=False,
              observers=[StopAt(stop_step)])
    assert not (out / "checkpoints" / "final.json").exists()
    resume(out, progress=False, warn=lambda m: None)
    _assert_same_run(reference, out)


def test_damaged_newest_checkpoint_falls_back(tmp_path, reference):
    out = tmp_path / "run"
    with pytest.raises(Interrupted):
        train(resolve_config("mlp-mnist", overrides=SMALL), out, progress=False,
              observers=[StopAt(5)])
    assert [p.name for p in list_checkpoints(out)] == ["step_0000004.json", "step_0000005.json"]
    newest = list_checkpoints(out)[-1]
    tensors = newest.with_suffix(".safetensors")
    tensors.write_bytes(tensors.read_bytes()[:-100])  # truncated
    with pytest.raises(CheckpointError, match="SHA-256 mismatch"):
        read_checkpoint(newest)
    warnings = []
    resume(out, progress=False, warn=warnings.append)
    assert any("falling back" in w for w in warnings)
    _assert_same_run(reference, out)


def test_flipped_byte_is_detected(tmp_path, reference):
    target = tmp_path / "final.safetensors"
    data = bytearray((reference / "checkpoints" / "final.safetensors").read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    (tmp_path / "final.json").write_text((reference / "checkpoints" / "final.json").read_text())
    with pytest.raises(CheckpointError, match="SHA-256 mismatch"):
        read_checkpoint(tmp_path / "final.json")


def test_pickles_are_refused(tmp_path):
    import pickle

    path = tmp_path / "model.pt"
    path.write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    with pytest.raises(CheckpointError, match="never unpickles"):
        read_checkpoint(path)


def test_keep_prunes_old_step_checkpoints(reference):
    names = sorted(p.name for p in (reference / "checkpoints").glob("*.json"))
    assert names == ["final.json", "step_0000002.json", "step_0000004.json"]


def test_resume_refuses_changes_to_the_math(reference):
    with pytest.raises(ConfigError, match="--lr-g cannot change when resuming"):
        resume(reference, {"lr_g": "1e-3"}, progress=False)


# SIGTERM in epoch 1 (a checkpoint is written on the way out); SIGKILL in epoch 2 (nothing
# runs on the way out: resume takes epoch 1's checkpoint and cleans what the kill left).
@pytest.mark.parametrize("sig, lines, code", [(signal.SIGTERM, 10, 143),
                                              (signal.SIGKILL, 70, -signal.SIGKILL)])
def test_a_signal_to_a_real_process_then_resume(tmp_path, real_data_root, sig, lines, code):
    args = [sys.executable, "-m", "ganforge", "train", "--preset", "mlp-mnist", "--limit", "2048",
            "--batch-size", "32", "--epochs", "2", "--log-every", "1", "--no-progress",
            "--g-hidden", "64,128", "--d-hidden", "128,64", "--eval-every", "0",
            "--threads", "1"]  # one thread: no reduction split that a busy machine could vary
    ref, out = tmp_path / "ref", tmp_path / "run"
    assert subprocess.run([*args, "--out", ref], capture_output=True).returncode == 0
    child = subprocess.Popen([*args, "--out", out], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    metrics, deadline = out / "metrics.jsonl", time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if metrics.exists() and len(metrics.read_text().splitlines()) >= lines:
            break
        time.sleep(0.01)
    child.send_signal(sig)
    _, stderr = child.communicate(timeout=120)
    assert child.returncode == code, stderr
    assert "Traceback" not in stderr
    if sig == signal.SIGTERM:
        assert "resume with: ganforge train --resume" in stderr
    resumed = subprocess.run([sys.executable, "-m", "ganforge", "train", "--resume", "auto",
                              "--out", out, "--no-progress", "--threads", "1"],
                             capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming" in resumed.stdout
    _assert_same_run(ref, out)
    assert not list(out.rglob("*.tmp"))


@pytest.fixture(scope="module")
def stopped(tmp_path_factory, reference):
    """A run stopped at step 5: checkpoints at steps 4 and 5, metrics of 5 steps."""
    out = tmp_path_factory.mktemp("stopped") / "run"
    with pytest.raises(Interrupted):
        train(resolve_config("mlp-mnist", overrides=SMALL), out, progress=False,
              observers=[StopAt(5)])
    return out


def _copy(stopped, tmp_path):
    import shutil

    out = tmp_path / "run"
    shutil.copytree(stopped, out)
    return out


# Each tampering of the newest checkpoint's record makes it invalid: resume reports it, falls
# back to the one before and still ends bit-identical (metrics.jsonl never cut short).
TAMPERED = {
    "records -40": {"records": -40}, "records x": {"records": "x"},
    "records past the file": {"records": 10**6}, "step -100": {"step": -100},
    "step abc": {"step": "abc"}, "rng_numpy": {"rng_numpy": [1, 2]},
    "rng_numpy keys": {"rng_numpy": ["MT19937", [-1] * 624, 0, 0, 0.0]},
    "rng_python": {"rng_python": [3, "x", None]}, "epoch_sums": {"epoch_sums": 5},
    "lr evil": {"opt_g_groups": [{"lr": "evil", "params": [0]}]},
    "betas": {"opt_d_groups": [{"lr": 1e-4, "betas": [2, 0.5], "params": [0]}]},
    "resume_epoch": {"resume_epoch": 0}, "tensors .": {"tensors": "."},
    "tensors 123": {"tensors": 123}, "tensors null": {"tensors": None},
    "tensors abs": {"tensors": "/etc/passwd"}, "latent_dim": {"config.latent_dim": -3},
    "g_hidden": {"config.g_hidden": [-16, 32]}, "summary": {"summary": [1]},
}


@pytest.mark.parametrize("fields", TAMPERED.values(), ids=TAMPERED.keys())
def test_invalid_newest_record_falls_back(tmp_path, stopped, reference, fields):
    import json

    out = _copy(stopped, tmp_path)
    newest = list_checkpoints(out)[-1]
    record = json.loads(newest.read_text())
    for key, value in fields.items():
        if key.startswith("config."):
            record["config"]["model"][key[7:]] = value
        else:
            record[key] = value
    newest.write_text(json.dumps(record))
    warnings = []
    resume(out, progress=False, warn=warnings.append)
    assert any(newest.name in w and "falling back" in w for w in warnings), warnings
    _assert_same_run(reference, out)


def test_deeply_nested_newest_record_falls_back(tmp_path, stopped, reference):
    out = _copy(stopped, tmp_path)
    list_checkpoints(out)[-1].write_text("[" * 100_000 + "]" * 100_000)
    warnings = []
    resume(out, progress=False, warn=warnings.append)
    assert any("nested too deep" in w for w in warnings)
    _assert_same_run(reference, out)


def test_bad_metrics_line_is_one_error_and_changes_nothing(tmp_path, stopped):
    from ganforge.errors import DataError

    out = _copy(stopped, tmp_path)
    lines = (out / "metrics.jsonl").read_bytes().splitlines(keepends=True)
    damaged = b"".join([lines[0], b'{"kind": "st\xff\xfe\n', *lines[2:]])
    (out / "metrics.jsonl").write_bytes(damaged)
    with pytest.raises(DataError, match=r"metrics.jsonl:2: not a JSON record"):
        resume(out, progress=False, warn=lambda m: None)
    assert (out / "metrics.jsonl").read_bytes() == damaged


STALE = ("checkpoints/.step_0000006.safetensors.k2j4h6g8.tmp",
         "checkpoints/.step_0000006.json.a1b2c3d4.tmp", ".metrics.jsonl.zz_9yx8w.tmp",
         "samples/.epoch_003.png.q1w2e3r4.tmp", ".config.toml.abcdefgh.tmp")
NOT_OURS = ("notes.tmp", "checkpoints/.mine.tmp", "checkpoints/keep.json.a1b2c3d4.tmp")


def _leave_temporaries(out):
    for name in STALE + NOT_OURS:
        (out / name).write_bytes(b"x" * 100)


def test_stale_temporaries_are_removed_on_resume(tmp_path, stopped, reference):
    out = _copy(stopped, tmp_path)
    _leave_temporaries(out)
    resume(out, progress=False, warn=lambda m: None)
    assert not any((out / name).exists() for name in STALE)
    assert all((out / name).exists() for name in NOT_OURS)
    _assert_same_run(reference, out)


def test_stale_temporaries_are_removed_on_force(tmp_path, stopped):
    out = _copy(stopped, tmp_path)
    _leave_temporaries(out)
    train(resolve_config("mlp-mnist", overrides={**SMALL, "epochs": "1"}), out, force=True,
          progress=False)
    assert not any((out / name).exists() for name in STALE)
    assert (out / "notes.tmp").exists()


def test_disk_full_is_one_line_and_keeps_the_last_good_checkpoint(
        tmp_path, real_data_root, monkeypatch, capsys):
    import errno
    import pathlib

    from ganforge.cli import main

    real_write = pathlib.Path.write_bytes
    calls = []

    def full_disk(self, data):
        if ".safetensors." in self.name:
            calls.append(self.name)
            if len(calls) == 2:  # the second checkpoint finds the disk full
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", full_disk)
    out = tmp_path / "run"
    args = ["train", "--preset", "mlp-mnist", "--out", str(out), "--no-progress",
            "--eval-every", "0", *[f"--{k.replace('_', '-')}={v}" for k, v in SMALL.items()]]
    assert main(args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "step_0000004.safetensors: disk full" in lines[0], lines
    assert "MB" in lines[0] and lines[0].endswith(f"last good checkpoint: "
                                                  f"{out / 'checkpoints' / 'step_0000002.json'}")
    read_checkpoint(out / "checkpoints" / "step_0000002.json")
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) \
        == ["step_0000002.json", "step_0000002.safetensors"]  # no temporary file left


def test_a_finished_run_trained_on_and_stopped_resumes_from_its_newest_step(tmp_path,
                                                                            reference):
    """`final` marks where a run once ended; trained on past it and stopped, the run's newest
    checkpoint is the step it stopped at, and resuming from there ends as the run never
    stopped (the cleanup never removes the checkpoint just written)."""
    out = tmp_path / "run"
    train(resolve_config("mlp-mnist", overrides={**SMALL, "epochs": "1"}), out,
          progress=False)
    assert read_checkpoint(out / "checkpoints" / "final.json")[0]["step"] == 2
    with pytest.raises(Interrupted):
        resume(out, {"epochs": "3"}, progress=False, warn=lambda m: None,
               observers=[StopAt(5)])
    from ganforge.runs.checkpoint import newest_checkpoint

    newest = newest_checkpoint(out)
    assert newest.name == "step_0000005.json" and newest.exists()
    said: list[str] = []
    resume(out, {"epochs": "3"}, progress=False, warn=said.append)
    assert not any("falling back" in line for line in said), said
    assert read_checkpoint(out / "checkpoints" / "final.json")[0]["step"] == \
        read_checkpoint(reference / "checkpoints" / "final.json")[0]["step"]
    steps = [int(line.split('"step": ')[1].split(",")[0])
             for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert steps == sorted(steps) and len(steps) == len(set(steps))  # one line of training


def test_a_checkpoint_just_written_is_never_pruned_however_old(tmp_path):
    from ganforge.training.state import prune

    folder = tmp_path / "checkpoints"
    folder.mkdir()
    for step in (20, 141, 144, 147, 101):
        (folder / f"step_{step:07d}.json").write_text("{}")
        (folder / f"step_{step:07d}.safetensors").write_bytes(b"")
    prune(tmp_path, 1, folder / "step_0000101.json")
    left = sorted(p.name for p in folder.glob("*.json"))
    assert left == ["step_0000101.json", "step_0000141.json", "step_0000144.json",
                    "step_0000147.json"]  # the line up to 101 kept 1; later ones untouched
