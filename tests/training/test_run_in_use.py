"""Run folders in use and resume (issue 37, class 9): one writer at a time, --resume auto
without a checkpoint starts the run the command line describes, an option equal to the run's
own value is no change, and a checkpoint's record count is checked against metrics.jsonl."""

import json
import subprocess
import sys
import time

import pytest

from ganforge.cli import main
from ganforge.config import RunConfig, resolve_config, resume_config
from ganforge.errors import ConfigError
from ganforge.runs.checkpoint import list_checkpoints
from ganforge.runs.lock import LOCK_NAME, run_lock
from ganforge.training.run import resume
from tests.training.test_resume import (  # noqa: F401 (reference, stopped: fixtures)
    _assert_same_run,
    _copy,
    reference,
    stopped,
)

TINY = ["--preset", "mlp-mnist", "--limit", "128", "--batch-size", "32", "--epochs", "1",
        "--g-hidden", "32,64", "--d-hidden", "64,32", "--no-progress", "--eval-every", "0"]
HOLD = """
import sys, time
from ganforge.runs.lock import run_lock
with run_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def held(tmp_path):
    """RUN locked by another process for the length of the test."""
    out = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout.readline().strip() == "held"
    yield out, holder.pid
    holder.kill()
    holder.wait()


def _one_line(capsys, fragment):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0], err


def test_a_second_writer_is_refused_in_one_line(held, capsys):
    out, pid = held
    with pytest.raises(ConfigError, match=rf"another ganforge process \(pid {pid}\) is writing"):
        with run_lock(out):
            pass


@pytest.mark.parametrize("extra", [["--resume", "auto"], ["--force"]])
def test_train_into_a_folder_in_use_is_refused_and_changes_nothing(held, capsys, extra,
                                                                   real_data_root):
    out, pid = held
    (out / "metrics.jsonl").write_text('{"kind": "step", "step": 1}\n')
    before = sorted(p.name for p in out.iterdir())
    assert main(["train", *TINY, "--out", str(out), *extra]) == 2
    _one_line(capsys, f"another ganforge process (pid {pid}) is writing this run")
    assert sorted(p.name for p in out.iterdir()) == before
    assert (out / "metrics.jsonl").read_text() == '{"kind": "step", "step": 1}\n'


def test_the_lock_is_released_when_the_holder_dies(tmp_path):
    out = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout.readline().strip() == "held"
    holder.kill()  # kill -9: no handler runs
    holder.wait()
    with run_lock(out):
        assert (out / LOCK_NAME).is_file()


def test_a_lock_file_that_is_a_symlink_is_refused(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (tmp_path / "elsewhere").write_text("keep")
    (out / LOCK_NAME).symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ConfigError, match="lock"):
        with run_lock(out):
            pass
    assert (tmp_path / "elsewhere").read_text() == "keep"


def test_resume_auto_without_a_config_starts_the_preset(tmp_path, capsys, real_data_root):
    out = tmp_path / "run"
    (out / "samples").mkdir(parents=True)  # killed before config.toml was written
    assert main(["train", *TINY, "--max-steps", "1", "--resume", "auto", "--out", str(out)]) == 0
    assert "preset = \"mlp-mnist\"" in (out / "config.toml").read_text()
    assert "preset mlp-mnist, mlp on mnist" in capsys.readouterr().out


def test_resume_auto_with_a_config_but_no_checkpoint_starts_the_preset(tmp_path, capsys,
                                                                       real_data_root):
    out = tmp_path / "run"
    out.mkdir()
    config = resolve_config("mlp-mnist", overrides={"limit": "128"})
    from ganforge.runs.folder import RunFolder

    RunFolder(out).write_config(config)  # killed after config.toml, before any checkpoint
    assert main(["train", *TINY, "--max-steps", "1", "--resume", "auto", "--out", str(out)]) == 0
    assert "preset mlp-mnist, mlp on mnist (128 images)" in capsys.readouterr().out


def test_an_option_equal_to_the_runs_own_is_no_change():
    saved = resolve_config("mlp-mnist", overrides={"batch_size": "32", "limit": "128"})
    meta = {"config": saved.to_dict()}
    same = resume_config(meta, saved, {"batch_size": "32", "limit": "128", "epochs": "9"}, "x")
    assert same.train.batch_size == 32 and same.train.epochs == 9
    with pytest.raises(ConfigError, match="--batch-size cannot change when resuming"):
        resume_config(meta, saved, {"batch_size": "64"}, "x")
    assert isinstance(same, RunConfig)


@pytest.mark.parametrize("records", [0, 2, 4])
def test_a_record_count_that_disagrees_with_the_step_falls_back(tmp_path, stopped,  # noqa: F811
                                                                reference, records):  # noqa: F811
    out = _copy(stopped, tmp_path)
    lines_before = (out / "metrics.jsonl").read_text().count("\n")
    newest = list_checkpoints(out)[-1]
    record = json.loads(newest.read_text())
    assert record["records"] > records
    record["records"] = records
    newest.write_text(json.dumps(record))
    seen = []
    resume(out, progress=False, warn=seen.append)
    assert any(newest.name in w and "falling back" in w for w in seen), seen
    assert (out / "metrics.jsonl").read_text().count("\n") >= lines_before
    _assert_same_run(reference, out)


def test_cli_resume_with_the_same_batch_size_continues(tmp_path, capsys, real_data_root):
    out = tmp_path / "run"
    assert main(["train", *TINY, "--max-steps", "2", "--out", str(out)]) == 0
    capsys.readouterr()
    started = time.time()
    assert main(["train", *TINY, "--max-steps", "3", "--resume", "auto", "--out",
                 str(out)]) == 0, capsys.readouterr().err
    assert "resuming" in capsys.readouterr().out and time.time() - started < 300
