"""Shared pieces of the training-speed benchmark: the machine, a ganforge run driven step by
step, FLOP counts, the matrix-multiply ceiling, and the data as both loops want it."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch

from ganforge.config import RunConfig, resolve_config
from ganforge.runs.folder import RunFolder
from ganforge.training.loop import TrainingLoop
from ganforge.training.run import fit_to_data, load_training_data, prepare


def cpu_name() -> str:
    """The CPU's model name from /proc/cpuinfo (else platform.processor())."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def cpu_flags() -> str:
    """The CPU's bf16-relevant features (AMX, AVX512-BF16), or 'none of ...'."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "unknown"
    found = [f for f in ("amx_bf16", "avx512_bf16", "avx512f") if f" {f}" in text]
    return ", ".join(found) if found else "no avx512/amx"


def load_text() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def machine_lines() -> list[str]:
    return [
        f"machine: {cpu_name()}, {os.cpu_count()} cores ({cpu_flags()}), "
        f"{platform.system()} {platform.release()}",
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"python {platform.python_version()}, {load_text()}",
    ]


def matmul_ceiling(size: int = 2048, reps: int = 10, dtype: torch.dtype = torch.float32
                   ) -> float:
    """The best GFLOP/s of a size x size matrix product over `reps` tries."""
    a, b = torch.randn(size, size, dtype=dtype), torch.randn(size, size, dtype=dtype)
    a @ b
    best = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def count_flops(step: Callable[[], None]) -> int:
    """FLOPs of one call of `step` (forward and backward), counted by FlopCounterMode."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        step()
    return int(counter.get_total_flops())


HERE = Path(__file__).resolve().parent


class Contender:
    """A contender process (contender.py): set up once, then asked to train N steps."""

    def __init__(self, kind: str, preset: str, precision: str,
                 per_epoch: int = 0, limit: int = 0):
        self.name = kind if kind == "tutorial" else f"{kind} {precision}"
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "contender.py"), kind, preset, precision,
             str(per_epoch), str(limit)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        _, flops, batch = self.process.stdout.readline().split()
        self.flops, self.batch = float(flops), int(batch)

    def ask(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def run(self, steps: int) -> float:
        """Images/s of `steps` steps."""
        return steps * self.batch / float(self.ask(str(steps)))

    def close(self) -> None:
        self.process.stdin.write("quit\n")
        self.process.stdin.close()
        self.process.wait()


def config_for(preset: str, overrides: dict[str, str] | None = None) -> RunConfig:
    """The preset with evaluation during training off (the benchmark measures training)."""
    return resolve_config(preset, overrides={"eval_every": "0", **(overrides or {})})


class GanforgeRun:
    """ganforge's own training loop on a data set in memory, advanced `n` steps at a time."""

    def __init__(self, config: RunConfig, data, folder: Path | None = None):
        config = fit_to_data(config, data.channels, data.size)
        folder = folder or Path(tempfile.mkdtemp(prefix="ganforge-bench-")) / "run"
        self.loop: TrainingLoop = prepare(config, data, RunFolder(folder), False, ())
        self.loop.folder = RunFolder.create(folder, config, force=True)
        self.config = config

    def steps(self, n: int) -> None:
        """Train n more generator steps (through the loop's epochs, as `ganforge train`)."""
        loop = self.loop
        loop.train_cfg.max_steps = loop.state.step + n
        while loop.state.step < loop.train_cfg.max_steps:
            if loop.state.batch >= loop.batches_per_epoch:
                loop.state.epoch, loop.state.batch = loop.state.epoch + 1, 0
            loop.run_epoch(loop.state.epoch)

    def one_batch_step(self) -> None:
        """One trainer step on one batch, outside the loop (for counting FLOPs)."""
        size = self.config.train.batch_size
        batch = self.loop.source.batch(torch.arange(size, device=self.loop.source.images.device))
        for index in range(self.loop.trainer.schedule[-1].interval):
            self.loop.trainer.train_batch(index, batch)


def training_data(preset: str, limit: int | None = None):
    """The preset's training split (its first `limit` images) as ganforge loads it, and as
    (N, H, W) numpy for the tutorial loop."""
    config = resolve_config(preset, overrides={"limit": str(limit)} if limit else None)
    data = load_training_data(config)
    return data, data.images[:, 0].numpy(), data.labels.numpy()
