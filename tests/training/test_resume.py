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
from ganforge.training.checkpoint import list_checkpoints, read_checkpoint
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


def test_sigterm_to_a_real_process_then_resume(tmp_path, real_data_root):
    args = [sys.executable, "-m", "ganforge", "train", "--preset", "mlp-mnist", "--limit", "2048",
            "--batch-size", "32", "--epochs", "2", "--log-every", "1", "--no-progress",
            "--g-hidden", "64,128", "--d-hidden", "128,64", "--eval-every", "0"]
    ref, out = tmp_path / "ref", tmp_path / "run"
    assert subprocess.run([*args, "--out", ref], capture_output=True).returncode == 0
    child = subprocess.Popen([*args, "--out", out], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    metrics, deadline = out / "metrics.jsonl", time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if metrics.exists() and len(metrics.read_text().splitlines()) >= 10:
            break
        time.sleep(0.01)
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=120)
    assert child.returncode == 143, stderr
    assert "resume with: ganforge train --resume" in stderr
    assert "Traceback" not in stderr
    resumed = subprocess.run([sys.executable, "-m", "ganforge", "train", "--resume", out,
                              "--no-progress"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    _assert_same_run(ref, out)
