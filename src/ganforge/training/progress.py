"""What a run tells its user while it trains: the first line (what it is doing, where), and
plain progress lines for logs without a terminal (CI, nohup, a notebook), where the tqdm bar
is off: every so many seconds, the step, images/s and the time left."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from shlex import quote

import torch

from ganforge.training.observers import LoopView
from ganforge.training.regularizers import LoopProgress

DEFAULT_EVERY = 30.0  # seconds between progress lines without a terminal


def start_line(loop: LoopView, resumed: str | None = None) -> str:
    """One line: the settings' source, model and data, length, run folder, device, threads."""
    config, t = loop.config, loop.train_cfg
    source = f"preset {config.preset}" if config.preset else "no preset (the defaults)"
    limits = [f"{t.epochs} epochs"]
    if t.max_steps is not None:
        limits.append(f"at most {t.max_steps} steps")
    if t.max_minutes is not None:
        limits.append(f"at most {t.max_minutes:g} minutes")
    device = next(loop.trainer.generator.parameters()).device
    verb = f"resuming {loop.folder.path} from {resumed}" if resumed else \
        f"training into {loop.folder.path}"
    return (f"ganforge: {verb}: {source}, {config.model.arch} on {config.data.dataset} "
            f"({len(loop.source)} images), {', '.join(limits)} "
            f"({LoopProgress(loop).planned_steps()} generator steps), batch {t.batch_size}, "
            f"device {device}, {torch.get_num_threads()} CPU threads")


def resume_command(run: Path | str, world_size: int = 1) -> str:
    """The command that continues a run: under torchrun in the number of processes it
    trained in (a resume in another number is refused)."""
    command = f"ganforge train --resume {quote(str(run))}"
    return f"torchrun --nproc-per-node {world_size} -m {command}" if world_size > 1 else command


def nothing_to_train(loop: LoopView) -> str:
    """What `--resume` says of a run that already reached its end, and how to go on: a
    later end than the one the run is at (a limit given lower than it trains nothing)."""
    t, state, run = loop.train_cfg, loop.state, loop.folder.path
    ends, later = [], []  # each limit reached, and a later one
    if t.max_steps is not None and state.step >= t.max_steps:
        ends.append(f"--max-steps {t.max_steps}")
        later.append(f"--max-steps {max(t.max_steps, state.step) * 2}")
    if state.epoch > t.epochs or not ends:  # state.epoch: the next epoch to run
        ends.append(f"{t.epochs} epochs")
        later.append(f"--epochs {max(t.epochs, state.epoch - 1) * 2}")
    return (f"nothing to train: {run} already reached its end ({', '.join(ends)}, step "
            f"{state.step}); to train longer, resume with a later end, e.g. "
            f"{resume_command(run, loop.dist.world_size)} {' '.join(later)}")


def epoch_line(summary: dict, epochs: int) -> str:
    """The SPEC's per-epoch line, plus evaluation figures and the newest grid when present."""
    parts = [f"Epoch [{summary['epoch']}/{epochs}]"]
    if "g_loss" in summary:
        parts.append(f"Train G Loss: {summary['g_loss']:.4f}")
        parts.append(f"Train D Loss: {summary['d_loss']:.4f}")
    if "fd" in summary:  # two decimals, or three significant digits below 1 (folder
        fd = summary["fd"]  # evaluators' FDs can be far below 0.01)
        parts.append(f"FD {fd:.2f}" if abs(fd) >= 1 else f"FD {fd:.3g}")
    if "coverage" in summary:
        parts.append(f"coverage {summary['coverage']}")
    if "grid" in summary:
        parts.append(f"grid {summary['grid']}")
    return ", ".join(parts)


def wants_lines(progress: bool | float | None) -> float | None:
    """Seconds between plain progress lines, or None for none: `progress` None = lines only
    when stderr is no terminal (else tqdm's bar), a number = lines that often, a bool = no
    lines (True: the bar; False: nothing)."""
    if isinstance(progress, bool):
        return None
    if progress is None:
        return None if sys.stderr.isatty() else DEFAULT_EVERY
    return float(progress)


class ProgressLines:
    """Called after every batch; writes a line when `every` seconds have passed since the
    last one: step, share of the run, images/s since the last line, time left."""

    def __init__(self, loop: LoopView, every: float, write: Callable[[str], None],
                 clock: Callable[[], float] = time.monotonic):
        self.loop, self.every, self.write, self.clock = loop, every, write, clock
        self.progress = LoopProgress(loop)
        self.start = self.last = clock()
        self.start_share = self.progress()
        self.images = 0  # since the last line

    def tick(self, images: int) -> None:
        self.images += images
        now = self.clock()
        if now - self.last < self.every:
            return
        self.write(self.line(now))
        self.last, self.images = now, 0

    def line(self, now: float) -> str:
        share = self.progress()
        rate = self.images / max(now - self.last, 1e-9)
        done = share - self.start_share
        eta = (now - self.start) * (1.0 - share) / done if done > 0 else None
        state = self.loop.state
        return (f"step {state.step}/{self.progress.planned_steps()} ({share:.1%}), epoch "
                f"{state.epoch}/{self.loop.train_cfg.epochs}, {rate:.1f} images/s, ETA "
                f"{_clock(eta)}")


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"
