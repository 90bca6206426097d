"""Two processes under torchrun (gloo, CPU): identical weights on both ranks after every
step (with the ranks agreeing on a deadline as they go), files written by rank 0 only, and
resume in this mode too, in the same number of processes only. Ranks agree on a signal or
the deadline every few batches; only process 0 names the checkpoint it stopped at."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("ddp_worker.py")


def torchrun(*args, cwd, fresh=False):
    """Run under torchrun in cwd. fresh: cwd starts empty, so a run whose rank was killed by
    SIGABRT (seen in gloo about once in thirty full-suite runs, while the other test worker
    loads the 2 cores) is run once more from an empty cwd; any other failure is not retried."""
    # --standalone: the rendezvous store binds a free port itself (no port picked, released
    # and then raced for by the other tests' servers)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
           *map(str, args)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    if fresh and result.returncode != 0 and "(SIGABRT)" in result.stderr:
        for entry in Path(cwd).iterdir():
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        result = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env,
                                timeout=300)
    return result


def _hashes(folder, rank):
    return (folder / f"hashes_rank{rank}.txt").read_text().splitlines()


def _step_records(run):
    lines = (run / "metrics.jsonl").read_text().splitlines()
    return [r for r in map(json.loads, lines) if r["kind"] == "step"]


@pytest.fixture(scope="module")
def ddp_run(tmp_path_factory):
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None:
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    os.environ["GANFORGE_DATA"] = str(REAL_DATA_ROOT)
    folder = tmp_path_factory.mktemp("ddp")
    # 256 images, 2 ranks of batch 32: 4 generator steps an epoch
    result = torchrun(WORKER, "train", folder / "run", folder, "limit=256", "batch_size=32",
                      "epochs=2", "log_every=1", "eval_every=0",
                      "max_minutes=60",  # the ranks agree on the deadline (loop._polls)
                      cwd=folder, fresh=True)
    assert result.returncode == 0, result.stderr[:4000]
    return folder, result


def test_ranks_hold_identical_weights_after_every_step(ddp_run):
    folder, result = ddp_run
    rank0, rank1 = _hashes(folder, 0), _hashes(folder, 1)
    assert [line.split()[0] for line in rank0] == [str(s) for s in range(1, 9)]
    assert rank0 == rank1
    assert len(set(rank0)) == 8  # the weights did change every step
    assert "batch 32 per rank = 64 effective" in result.stdout


def test_only_rank_zero_writes_the_run_folder(ddp_run):
    folder, result = ddp_run
    run = folder / "run"
    assert [r["step"] for r in _step_records(run)] == list(range(1, 9))  # one writer
    assert sorted(p.name for p in (run / "samples").iterdir()) == ["epoch_001.png",
                                                                    "epoch_002.png"]
    assert (run / "checkpoints" / "final.json").exists()
    assert result.stdout.count("Epoch [2/2]") == 1  # rank 1 prints nothing either
    assert sorted(p.name for p in folder.iterdir()) == ["hashes_rank0.txt", "hashes_rank1.txt",
                                                        "run"]


def test_resume_under_torchrun(ddp_run):
    folder, _ = ddp_run
    result = torchrun(WORKER, "resume", folder / "run", folder, "3", cwd=folder)
    assert result.returncode == 0, result.stderr[:4000]
    assert [r["step"] for r in _step_records(folder / "run")] == list(range(1, 13))
    rank0, rank1 = _hashes(folder, 0), _hashes(folder, 1)
    assert rank0 == rank1 and len(rank0) == 12


def test_command_line_under_torchrun(tmp_path, real_data_root):
    result = torchrun("-m", "ganforge", "train", "--preset", "mlp-mnist", "--limit", "256",
                      "--batch-size", "32", "--max-steps", "3", "--g-hidden", "32",
                      "--d-hidden", "32", "--sync-bn", "true", "--no-progress",
                      "--eval-every", "0", "--out", tmp_path / "run", cwd=tmp_path, fresh=True)
    assert result.returncode == 0, result.stderr[:4000]
    assert len(_step_records(tmp_path / "run")) == 3
    assert result.stdout.count("run folder:") == 1  # process 0 alone says it


def test_ranks_agree_on_stopping_every_few_batches_and_alone_after_each():
    from types import SimpleNamespace

    from ganforge.runtime.distributed import DistContext
    from ganforge.training.loop import POLL_BATCHES, TrainingLoop

    together = SimpleNamespace(dist=DistContext(world_size=2), batches_per_epoch=20)
    polled = [i for i in range(20) if TrainingLoop._polls(together, i)]
    assert POLL_BATCHES == 8 and polled == [7, 15, 19]  # and the epoch's last batch
    alone = SimpleNamespace(dist=DistContext(), batches_per_epoch=20)
    assert all(TrainingLoop._polls(alone, i) for i in range(20))


def test_any_ranks_without_a_group_is_the_flags_themselves():
    from ganforge.runtime.distributed import DistContext, any_rank, any_ranks

    assert any_ranks((True, False), DistContext()) == [True, False]
    assert any_rank(False, DistContext()) is False


def test_sync_bn_on_cpu_ranks_is_one_line_before_anything_is_wrapped():
    import torch
    from torch import nn

    from ganforge.errors import ConfigError
    from ganforge.runtime.distributed import DistContext, wrap

    network = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4))
    with pytest.raises(ConfigError, match="--sync-bn true needs ranks on CUDA GPUs"):
        wrap(network, DistContext(world_size=2), torch.device("cpu"), sync_bn=True)
    assert isinstance(network[1], nn.BatchNorm2d)  # not converted


def test_a_resume_in_another_number_of_processes_is_refused(ddp_run, tmp_path, capsys):
    """The effective batch and each epoch's shards would change, as --batch-size changes."""
    from ganforge.cli import main

    folder, _ = ddp_run
    run = tmp_path / "run"
    shutil.copytree(folder / "run", run)
    before = (run / "metrics.jsonl").read_bytes()
    assert main(["train", "--resume", str(run), "--max-steps", "20", "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith("the run trained in 2 process(es) (an effective batch of 64); "
                            "resume it the same way (torchrun --nproc-per-node 2), not in 1")
    assert (run / "metrics.jsonl").read_bytes() == before


def test_a_batch_larger_than_each_processs_share_is_one_line(tmp_path, real_data_root):
    result = torchrun("-m", "ganforge", "train", "--preset", "mlp-mnist", "--limit", "40",
                      "--batch-size", "32", "--max-steps", "3", "--no-progress",
                      "--eval-every", "0", "--out", tmp_path / "run", cwd=tmp_path, fresh=True)
    assert result.returncode != 0
    assert "ganforge: error: batch_size 32 in each of 2 processes is more than the data set " \
        "(40 images)" in result.stderr
    assert not (tmp_path / "run" / "checkpoints" / "final.json").exists()


def test_a_stopped_process_other_than_the_first_names_no_checkpoint():
    from types import SimpleNamespace

    from ganforge.runtime.distributed import DistContext
    from ganforge.training.loop import Interrupted, TrainingLoop

    stub = SimpleNamespace(flush=lambda: [], save_checkpoint=lambda: Path("rank0.json"),
                           stop_signal="SIGINT", state=SimpleNamespace(step=95),
                           dist=DistContext(rank=1, world_size=2), folder=None)
    with pytest.raises(Interrupted) as stopped:
        TrainingLoop._stop_now(stub)
    assert str(stopped.value) == ("stopped by SIGINT at step 95 (process 1; process 0 saves "
                                  "the checkpoint)")
    assert stopped.value.exit_code == 130
    stub.dist, stub.folder = DistContext(rank=0, world_size=2), SimpleNamespace(path="RUN")
    with pytest.raises(Interrupted) as stopped:
        TrainingLoop._stop_now(stub)
    assert str(stopped.value).endswith("checkpoint rank0.json; resume with: torchrun "
                                       "--nproc-per-node 2 -m ganforge train --resume RUN")


def test_sync_bn_is_refused_on_cpu_in_one_process_too(tmp_path, capsys, isolated_cache):
    """A one-process run would record a setting that its torchrun resume on CPU refuses and
    that may not change on resume."""
    from ganforge.cli import main
    from tests.data.folder.conftest import make_folder
    from tests.folder_runs import QUICK, last_error

    folder = make_folder(tmp_path / "shapes", 24, ("a", "b"))
    assert main(["train", "--dataset", str(folder), "--arch", "dcgan", "--sync-bn", "true",
                 "--max-steps", "2", "--out", str(tmp_path / "run"), *QUICK]) == 2
    assert "--sync-bn true needs ranks on CUDA GPUs" in last_error(capsys)


def test_going_back_under_torchrun_rank_zero_alone_sets_the_later_line_aside(ddp_run, tmp_path):
    folder, _ = ddp_run
    run = tmp_path / "run"
    shutil.copytree(folder / "run", run)
    end = json.loads((run / "checkpoints" / "final.json").read_text())["step"]
    result = torchrun("-m", "ganforge", "train", "--resume",
                      run / "checkpoints" / "step_0000004.json", "--max-steps", "6",
                      "--no-progress", "--eval-every", "0", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[:4000]
    assert result.stdout.count("set aside the run's line after step 4 ") == 1  # rank 0's
    [aside] = list((run / "superseded").iterdir())
    assert (aside / "checkpoints" / "final.json").is_file()
    assert [r["step"] for r in _step_records(aside)] == list(range(1, end + 1))
    assert [r["step"] for r in _step_records(run)] == list(range(1, 7))  # one line
