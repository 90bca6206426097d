"""Plain progress lines: when they are written, and what they say."""

import io

import pytest

from ganforge.training.progress import DEFAULT_EVERY, ProgressLines, _clock, wants_lines


def test_lines_only_without_a_terminal_unless_asked(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())  # no terminal
    assert wants_lines(None) == DEFAULT_EVERY
    assert wants_lines(False) is None and wants_lines(True) is None
    assert wants_lines(5) == 5.0 and wants_lines(0.0) == 0.0

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stderr", Tty())
    assert wants_lines(None) is None  # the bar instead


class _Loop:
    """What ProgressLines reads of a training loop."""

    def __init__(self):
        from types import SimpleNamespace

        self.state = SimpleNamespace(step=0, epoch=1)
        self.train_cfg = SimpleNamespace(epochs=2, max_steps=None, max_minutes=None)
        self.trainer = SimpleNamespace(schedule=[SimpleNamespace(network="generator",
                                                                 interval=1)])
        self.batches_per_epoch = 50
        self.started = None


def test_a_line_every_so_many_seconds_with_rate_and_eta():
    now = [0.0]
    written: list[str] = []
    loop = _Loop()
    lines = ProgressLines(loop, every=10.0, write=written.append, clock=lambda: now[0])
    for _ in range(25):  # 25 steps of 64 images, one every 0.5 s
        now[0] += 0.5
        loop.state.step += 1
        lines.tick(64)
    assert written == ["step 20/100 (20.0%), epoch 1/2, 128.0 images/s, ETA 0:00:40"]
    assert _clock(3725.4) == "1:02:05" and _clock(None) == "?"


@pytest.mark.parametrize("fd,shown", [(0.0028761, "FD 0.00288"), (0.5, "FD 0.5"),
                                      (65.8234, "FD 65.82")])
def test_the_epoch_line_shows_a_small_fd_with_its_significant_digits(fd, shown):
    from ganforge.training.progress import epoch_line

    line = epoch_line({"epoch": 2, "g_loss": 1.0, "d_loss": 0.5, "fd": fd}, 2)
    assert line == f"Epoch [2/2], Train G Loss: 1.0000, Train D Loss: 0.5000, {shown}"


def test_a_printed_resume_command_can_be_pasted_for_a_path_with_spaces():
    import shlex

    from ganforge.training.progress import resume_command

    run = "runs/my run é"
    assert shlex.split(resume_command(run)) == ["ganforge", "train", "--resume", run]
    assert shlex.split(resume_command("runs/plain", 2)) == [
        "torchrun", "--nproc-per-node", "2", "-m", "ganforge", "train", "--resume", "runs/plain"]
    assert resume_command("runs/plain") == "ganforge train --resume runs/plain"  # as before
