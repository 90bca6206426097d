"""Time and memory budgets around training: sampling and evaluating 10,000 DCGAN images, and
the peak memory of a Fashion-MNIST DCGAN training run."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_util as bu

from ganforge.metrics.evaluate import evaluate_run, extract, sample_images
from ganforge.metrics.frechet import frechet_distance, gaussian_stats
from ganforge.sampling.generator import generate, load_generator
from ganforge.training.run import train

PRESET = "dcgan-fashion"
DATASET = "fashion-mnist"
N = 10_000


def small_run(folder: Path) -> Path:
    """A DCGAN run of 50 steps: the cost of sampling and scoring does not depend on how well
    G is trained."""
    overrides = {"limit": "3200", "max_steps": "50", "epochs": "1", "eval_every": "0"}
    return train(bu.config_for(PRESET, overrides), folder / "run", progress=False)


def seconds(action, reps: int = 3) -> float:
    """Median wall time of `reps` calls of `action`."""
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def eval_speed() -> None:
    print(f"== sampling and evaluating {N} images of the {PRESET} DCGAN ==")
    from ganforge.data import load_dataset

    run = small_run(Path(tempfile.mkdtemp(prefix="ganforge-bench-")))
    loaded = load_generator(run)
    print(f"sample {N} images (ganforge.sampling.generator.generate): "
          f"{seconds(lambda: generate(loaded, N, seed=0)):.2f} s (median of 3)")
    start = time.perf_counter()
    reference = gaussian_stats(extract(load_dataset(DATASET, "test").images, DATASET).features)
    cold = time.perf_counter() - start
    model = loaded.config.model

    def evaluate() -> float:
        images = sample_images(loaded.generator, model.latent_dim, loaded.config.train.noise,
                               N, seed=0)
        return frechet_distance(gaussian_stats(extract(images, DATASET).features), reference)

    print(f"evaluate {N} samples (generate + evaluator features + FD against the cached "
          f"test-split statistics): {seconds(evaluate):.2f} s (median of 3); the test split's "
          f"statistics, once per process: {cold:.2f} s")
    start = time.perf_counter()
    evaluate_run(run, n=N)
    print(f"ganforge.metrics.evaluate.evaluate_run(n={N}), every metric and its real-data "
          f"floor, caches warm: {time.perf_counter() - start:.2f} s")


def peak_memory(steps: int = 300) -> None:
    """Peak RSS of `ganforge train --preset dcgan-fashion` for `steps` steps on the whole
    training split, with its defaults (sample grid, evaluation and checkpoint at the end)."""
    out = Path(tempfile.mkdtemp(prefix="ganforge-bench-")) / "run"
    command = [sys.executable, "-m", "ganforge", "train", "--preset", PRESET, "--max-steps",
               str(steps), "--out", str(out), "--no-progress"]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    took = time.perf_counter() - start
    print(f"== peak memory: ganforge train --preset {PRESET} --max-steps {steps} (60,000 "
          f"images in memory, evaluation of 2,000 samples at the end) ==")
    print(f"peak RSS {usage.ru_maxrss / 1024:.0f} MB (exit code {process.returncode}, "
          f"{took:.0f} s)")
