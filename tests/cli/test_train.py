"""`ganforge train` as a user runs it, output to a pipe: the first line, plain progress
lines, and `--resume` of a finished run and of a missing folder."""

import re

import pytest

from tests.test_cli import _one_line_error, ganforge

TINY = ("--preset", "mlp-mnist", "--limit", "128", "--batch-size", "32", "--epochs", "1",
        "--g-hidden", "16", "--d-hidden", "16", "--eval-every", "0")


@pytest.fixture(scope="module")
def piped_run(tmp_path_factory):
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None:
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    env = {"GANFORGE_DATA": str(REAL_DATA_ROOT), "GANFORGE_NO_DOWNLOAD": "1"}
    out = tmp_path_factory.mktemp("piped") / "run"
    r = ganforge("train", *TINY, "--progress-every", "0", "--out", out, env=env)
    assert r.returncode == 0, r.stderr
    return out, r, env


def test_the_first_line_says_what_the_run_does(piped_run):
    out, r, _ = piped_run
    first = r.stdout.splitlines()[0]
    assert first == (f"ganforge: training into {out}: preset mlp-mnist, mlp on mnist (128 "
                     f"images), 1 epochs (4 generator steps), batch 32, device cpu, "
                     f"{first.split('device cpu, ')[1]}")
    assert re.search(r"device cpu, \d+ CPU threads$", first)


def test_without_a_terminal_progress_comes_as_plain_lines(piped_run):
    _, r, _ = piped_run
    lines = [line for line in r.stdout.splitlines() if line.startswith("step ")]
    assert len(lines) == 4, r.stdout  # every batch with --progress-every 0
    assert re.fullmatch(r"step 4/4 \(100\.0%\), epoch 1/1, [\d.]+ images/s, ETA 0:00:00",
                        lines[-1]), lines
    assert "\r" not in r.stdout + r.stderr  # no bar redrawn in the log


def test_resume_of_a_finished_run_says_how_to_train_longer(piped_run):
    out, _, env = piped_run
    before = (out / "metrics.jsonl").read_text()
    r = ganforge("train", "--resume", out, env=env)
    assert r.returncode == 0, r.stderr
    assert (f"nothing to train: {out} already reached its end (1 epochs, step 4); to train "
            f"longer, resume with a later end, e.g. ganforge train --resume {out} --epochs 2"
            ) in r.stdout
    assert (out / "metrics.jsonl").read_text() == before
    longer = ganforge("train", "--resume", out, "--epochs", "2", "--no-progress", env=env)
    assert longer.returncode == 0, longer.stderr
    assert longer.stdout.startswith(f"ganforge: resuming {out} from final.json (step 4): "
                                    "preset mlp-mnist, mlp on mnist")
    assert "Epoch [2/2]" in longer.stdout


def test_resume_of_a_missing_folder_says_it_does_not_exist(tmp_path):
    missing = tmp_path / "nope"
    _one_line_error(ganforge("train", "--resume", missing), f"{missing} does not exist")


def test_progress_every_must_be_a_number_of_seconds(tmp_path):
    _one_line_error(ganforge("train", *TINY, "--progress-every", "-1", "--out", tmp_path / "x"),
                    "argument --progress-every: must be in 0..1e9, got -1")
