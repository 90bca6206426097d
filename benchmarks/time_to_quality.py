"""Time to quality: how long ganforge's DCGAN preset takes to reach the FD that the tutorial
loop reaches after E epochs on Fashion-MNIST.

Both train from the same seed and initial weights, epoch by epoch in turns (so a change of
the machine's load hits both alike); the training time of each is summed over its own turns.
G's weights are copied (not timed) every quarter epoch; afterwards every copy is scored with
FD (10,000 samples, noise seed 0, the evaluator's features, against the test split). The
target is the tutorial's FD after E epochs; ganforge's time to it is the training time at
its first copy with an FD at or below the target.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import bench_util as bu
import torch
import tutorial_loop as tl

from ganforge.metrics.evaluate import extract, sample_images
from ganforge.metrics.frechet import frechet_distance, gaussian_stats
from ganforge.models import build_models
from ganforge.training.observers import Observer
from ganforge.training.run import fit_to_data

PRESET = "dcgan-fashion"
DATASET = "fashion-mnist"
SAMPLES = 10_000
SNAPSHOTS_PER_EPOCH = 4


@dataclass
class Snapshots:
    """G's weights at training times (seconds of training, excluding everything else)."""

    points: list[tuple[float, int, dict[str, torch.Tensor]]] = field(default_factory=list)
    trained: float = 0.0  # training seconds of finished turns
    turn_start: float = 0.0

    def take(self, generator: torch.nn.Module, step: int) -> None:
        now = time.perf_counter()
        state = {k: v.detach().clone() for k, v in generator.state_dict().items()}
        self.points.append((self.trained + now - self.turn_start, step, state))
        self.turn_start += time.perf_counter() - now  # the copy is not training time

    def begin(self) -> None:
        self.turn_start = time.perf_counter()

    def end(self) -> None:
        self.trained += time.perf_counter() - self.turn_start


class SnapshotObserver(Observer):
    """Copies ganforge's G at the first record past each quarter epoch."""

    def __init__(self, snapshots: Snapshots, every: int):
        self.snapshots, self.every, self.next = snapshots, every, every

    def on_records(self, loop, records) -> None:
        step = records[-1]["step"]
        if step >= self.next:
            self.snapshots.take(loop.trainer.generator, step)
            self.next += self.every


def fd_scorer():
    """A function G-state -> FD against the test split's features (computed once)."""
    from ganforge.data import load_dataset

    test = extract(load_dataset(DATASET, "test").images, DATASET)
    reference = gaussian_stats(test.features)
    config = bu.config_for(PRESET)
    generator, _ = build_models(fit_to_data(config, 1, 28).model)

    def score(state: dict[str, torch.Tensor]) -> float:
        generator.load_state_dict(state)
        images = sample_images(generator, config.model.latent_dim, config.train.noise,
                               SAMPLES, seed=0)
        return frechet_distance(gaussian_stats(extract(images, DATASET).features), reference)

    return score


def train_both(epochs: int, max_epochs: int) -> tuple[Snapshots, Snapshots]:
    """The tutorial for `epochs` epochs and ganforge for up to `max_epochs`, in turns."""
    data, images, labels = bu.training_data(PRESET)
    run = bu.GanforgeRun(bu.config_for(PRESET, {"log_every": "25"}), data)
    loop, config = run.loop, run.config
    torch.manual_seed(config.train.seed)
    gan = tl.build_tutorial(*build_models(config.model), config)
    loader = tl.make_loader(images, labels, config.train.batch_size, config.train.seed)
    every = len(loader) // SNAPSHOTS_PER_EPOCH
    ours, theirs = Snapshots(), Snapshots()
    loop.observers.append(SnapshotObserver(ours, loop.batches_per_epoch // SNAPSHOTS_PER_EPOCH))
    loop.train_cfg.epochs = max_epochs
    for epoch in range(1, max_epochs + 1):
        if epoch <= epochs:
            first = (epoch - 1) * len(loader)

            def after(i: int, first: int = first) -> None:
                if (i + 1) % every == 0:
                    theirs.take(gan.g, first + i + 1)

            theirs.begin()
            tl.run_steps(gan, (real for real, _ in loader), len(loader), after=after)
            theirs.end()
        ours.begin()
        loop.run_epoch(epoch)
        loop.end_epoch(epoch)  # samples and checkpoint, as `ganforge train` does
        loop.state.epoch, loop.state.batch = epoch + 1, 0
        ours.end()
        print(f"  epoch {epoch}: tutorial {theirs.trained:.0f} s, ganforge {ours.trained:.0f} s "
              f"of training ({bu.load_text()})", flush=True)
    return theirs, ours


def run(epochs: int = 5) -> None:
    print(f"== time to quality: {PRESET}, tutorial loop for {epochs} epochs, ganforge for up "
          f"to {epochs}; FD of {SAMPLES} samples against the test split ==")
    theirs, ours = train_both(epochs, epochs)
    score = fd_scorer()
    rows = [("tutorial", t, s, score(w)) for t, s, w in theirs.points]
    rows += [("ganforge", t, s, score(w)) for t, s, w in ours.points]
    print(f"{'loop':<9} {'step':>6} {'train s':>8} {'FD':>8}")
    for name, seconds, step, fd in rows:
        print(f"{name:<9} {step:>6} {seconds:>8.1f} {fd:>8.2f}")
    target_time, target = rows[len(theirs.points) - 1][1], rows[len(theirs.points) - 1][3]
    reached = [(t, s, fd) for name, t, s, fd in rows if name == "ganforge" and fd <= target]
    if not reached:
        best = min(fd for name, _, _, fd in rows if name == "ganforge")
        print(f"ganforge did not reach the target FD {target:.2f} in {epochs} epochs "
              f"(best {best:.2f})")
        return
    seconds, step, fd = reached[0]
    print(f"target FD {target:.2f} (tutorial after {epochs} epochs, {target_time:.1f} s of "
          f"training); ganforge reached FD {fd:.2f} at step {step} after {seconds:.1f} s = "
          f"{100 * seconds / target_time:.0f}% of the tutorial's time")

