"""Time to quality: how long ganforge's DCGAN preset takes to reach the FD that the tutorial
loop reaches after E epochs on Fashion-MNIST.

Each loop trains in its own process (contender.py), from the same seed and initial weights,
one epoch at a time in turns, so that a change of the machine's load hits both alike; each
one's training time is summed over its own turns. G's weights are copied (not timed) four
times an epoch; afterwards every copy is scored with FD (10,000 samples, noise seed 0, the
evaluator's features, against the test split). The target is the tutorial's FD after E
epochs; ganforge's time to it is the training time at its first copy with an FD at or below.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import bench_util as bu
import torch
from safetensors.torch import load_file

from ganforge.metrics.evaluate import extract, sample_images
from ganforge.metrics.frechet import frechet_distance, gaussian_stats
from ganforge.models import build_models
from ganforge.training.run import fit_to_data

PRESET = "dcgan-fashion"
DATASET = "fashion-mnist"
SAMPLES = 10_000
PER_EPOCH = 4


def fd_scorer():
    """A function G-state -> FD against the test split's features (computed once)."""
    from ganforge.data import load_dataset

    test = extract(load_dataset(DATASET, "test").images, DATASET)
    reference = gaussian_stats(test.features)
    config = fit_to_data(bu.config_for(PRESET), 1, 28)
    generator, _ = build_models(config.model)

    def score(state: dict[str, torch.Tensor]) -> float:
        generator.load_state_dict(state)
        images = sample_images(generator, config.model.latent_dim, config.train.noise,
                               SAMPLES, seed=0)
        return frechet_distance(gaussian_stats(extract(images, DATASET).features), reference)

    return score


def snapshots(path: Path) -> list[tuple[float, int, dict[str, torch.Tensor]]]:
    """(training seconds, step, G's state) of each copy a contender saved."""
    tensors = load_file(path)
    out = []
    for i, stamp in enumerate(json.loads(Path(str(path) + ".json").read_text())):
        state = {k.split(".", 1)[1]: v for k, v in tensors.items() if k.startswith(f"{i}.")}
        out.append((stamp["seconds"], stamp["step"], state))
    return out


def train_both(epochs: int, folder: Path, limit: int) -> tuple[Path, Path]:
    """Train both loops `epochs` epochs in turns; returns their snapshot files."""
    theirs = bu.Contender("tutorial", PRESET, "fp32", PER_EPOCH, limit)
    ours = bu.Contender("ganforge", PRESET, "fp32", PER_EPOCH, limit)
    totals = [0.0, 0.0]
    try:
        for epoch in range(1, epochs + 1):
            totals[0] += float(theirs.ask("epoch"))
            totals[1] += float(ours.ask("epoch"))
            print(f"  epoch {epoch}: tutorial {totals[0]:.0f} s, ganforge {totals[1]:.0f} s of "
                  f"training ({bu.load_text()})", flush=True)
        paths = folder / "tutorial.safetensors", folder / "ganforge.safetensors"
        theirs.ask(f"save {paths[0]}")
        ours.ask(f"save {paths[1]}")
    finally:
        theirs.close()
        ours.close()
    return paths


def run(epochs: int, limit: int = 0) -> None:
    """Train both, score every copy, print the table and the time to the target FD."""
    print(f"== time to quality: {PRESET}, both loops {epochs} epochs in turns; FD of "
          f"{SAMPLES} samples against the test split ==")
    folder = Path(tempfile.mkdtemp(prefix="ganforge-ttq-"))
    theirs_path, ours_path = train_both(epochs, folder, limit)
    score = fd_scorer()
    rows = [("tutorial", t, s, score(w)) for t, s, w in snapshots(theirs_path)]
    rows += [("ganforge", t, s, score(w)) for t, s, w in snapshots(ours_path)]
    print(f"{'loop':<9} {'step':>6} {'train s':>8} {'FD':>8}")
    for name, seconds, step, fd in rows:
        print(f"{name:<9} {step:>6} {seconds:>8.1f} {fd:>8.2f}")
    _, target_time, _, target = [r for r in rows if r[0] == "tutorial"][-1]
    reached = [(t, s, fd) for name, t, s, fd in rows if name == "ganforge" and fd <= target]
    if not reached:
        best = min(fd for name, _, _, fd in rows if name == "ganforge")
        print(f"ganforge did not reach the target FD {target:.2f} in {epochs} epochs "
              f"(its best: {best:.2f})")
        return
    seconds, step, fd = reached[0]
    print(f"target FD {target:.2f} (tutorial after {epochs} epochs, {target_time:.1f} s of "
          f"training); ganforge reached FD {fd:.2f} at step {step} after {seconds:.1f} s = "
          f"{100 * seconds / target_time:.1f}% of the tutorial's time")
