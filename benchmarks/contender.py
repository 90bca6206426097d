"""One contender of the training-speed benchmark, in a process of its own (so that each runs
with its own thread settings and environment, as it would for a user).

    python benchmarks/contender.py ganforge|tutorial PRESET PRECISION [SNAPSHOTS_PER_EPOCH
        [LIMIT]]

Prints `ready FLOPS_PER_IMAGE BATCH` once set up and warmed up, then answers commands read
from stdin, one a line, each with one line:
- `N`: train N steps; answer the seconds they took;
- `epoch`: train one whole epoch (ganforge: with its end-of-epoch samples and checkpoint),
  copying G's weights SNAPSHOTS_PER_EPOCH times on the way; answer the training seconds;
- `save PATH`: write the copies to PATH (safetensors) and PATH.json (training seconds and
  step of each); answer `saved`;
- `quit`: end.
Warm-up steps (and their snapshots) happen only when no snapshots are asked for. LIMIT > 0
uses only the first LIMIT training images (a quick trial of the benchmark itself).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_util as bu  # noqa: E402
import torch  # noqa: E402
import tutorial_loop as tl  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

from ganforge.models import build_models  # noqa: E402
from ganforge.training.observers import Observer  # noqa: E402
from ganforge.training.run import fit_to_data  # noqa: E402

WARMUP = 10


class Snapshots:
    """Copies of G's weights, stamped with the training seconds (copying excluded)."""

    def __init__(self):
        self.states: list[dict[str, torch.Tensor]] = []
        self.stamps: list[dict[str, float]] = []
        self.trained, self.turn_start = 0.0, 0.0

    def begin(self) -> None:
        self.turn_start = time.perf_counter()

    def end(self) -> float:
        took = time.perf_counter() - self.turn_start
        self.trained += took
        return took

    def take(self, generator: torch.nn.Module, step: int) -> None:
        now = time.perf_counter()
        self.states.append({k: v.detach().clone() for k, v in generator.state_dict().items()})
        self.stamps.append({"seconds": self.trained + now - self.turn_start, "step": step})
        self.turn_start += time.perf_counter() - now

    def save(self, path: str) -> None:
        save_file({f"{i}.{k}": v.contiguous() for i, s in enumerate(self.states)
                   for k, v in s.items()}, path)
        Path(path + ".json").write_text(json.dumps(self.stamps))


class EveryK(Observer):
    """Takes a snapshot of ganforge's G at the first record at or past each k-th step."""

    def __init__(self, snapshots: Snapshots, k: int):
        self.snapshots, self.k, self.next = snapshots, k, k

    def on_records(self, loop, records) -> None:
        if records[-1]["step"] >= self.next:
            self.snapshots.take(loop.trainer.generator, records[-1]["step"])
            self.next += self.k


class GanforgeContender:
    def __init__(self, preset: str, precision: str, per_epoch: int, limit: int):
        data, _, _ = bu.training_data(preset, limit)
        overrides = {"precision": precision, "log_every": "25"}
        self.run = bu.GanforgeRun(bu.config_for(preset, overrides), data)
        self.batch = self.run.config.train.batch_size
        self.snapshots = Snapshots()
        if per_epoch:
            loop = self.run.loop
            loop.observers.append(EveryK(self.snapshots, loop.batches_per_epoch // per_epoch))

    def steps(self, n: int) -> None:
        self.run.steps(n)

    def epoch(self) -> None:
        loop = self.run.loop
        epoch = loop.state.epoch
        loop.train_cfg.max_steps, loop.train_cfg.epochs = None, epoch + 1
        loop.run_epoch(epoch)
        loop.end_epoch(epoch)  # samples and checkpoint, as `ganforge train` does
        loop.state.epoch, loop.state.batch = epoch + 1, 0

    def one_step(self) -> None:
        self.run.one_batch_step()


class TutorialContender:
    def __init__(self, preset: str, precision: str, per_epoch: int, limit: int):
        if precision != "fp32":
            raise SystemExit("the tutorial loop runs in fp32 only")
        _, images, labels = bu.training_data(preset, limit)
        config = fit_to_data(bu.config_for(preset), 1, images.shape[-1])
        torch.manual_seed(config.train.seed)  # the same initial weights as ganforge's
        self.gan = tl.build_tutorial(*build_models(config.model), config)
        self.batch = config.train.batch_size
        self.loader = tl.make_loader(images, labels, self.batch, config.train.seed)
        self.stream = tl.batches(self.loader)
        self.snapshots, self.done = Snapshots(), 0
        self.every = len(self.loader) // per_epoch if per_epoch else 0

    def steps(self, n: int) -> None:
        tl.run_steps(self.gan, self.stream, n)

    def epoch(self) -> None:
        def after(i: int, first: int = self.done) -> None:
            if (i + 1) % self.every == 0:
                self.snapshots.take(self.gan.g, first + i + 1)

        tl.run_steps(self.gan, (real for real, _ in self.loader), len(self.loader), after)
        self.done += len(self.loader)

    def one_step(self) -> None:
        tl.train_step(self.gan, next(self.stream))


def serve(contender, out) -> None:
    """Answer the commands of stdin on `out` (see the module's doc)."""
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        if command[0] == "save":
            contender.snapshots.save(command[1])
            print("saved", file=out, flush=True)
            continue
        contender.snapshots.begin()
        if command[0] == "epoch":
            contender.epoch()
        else:
            contender.steps(int(command[0]))
        print(f"{contender.snapshots.end():.6f}", file=out, flush=True)


def main(kind: str, preset: str, precision: str, per_epoch: str = "0", limit: str = "0") -> int:
    out, sys.stdout = sys.stdout, sys.stderr  # answers only on stdout; anything else: stderr
    kinds = {"ganforge": GanforgeContender, "tutorial": TutorialContender}
    contender = kinds[kind](preset, precision, int(per_epoch), int(limit))
    flops = 0.0
    if not int(per_epoch):  # timing only: count FLOPs and warm up (both change the weights)
        flops = bu.count_flops(contender.one_step) / contender.batch
        contender.steps(WARMUP)
    print(f"ready {flops:.0f} {contender.batch}", file=out, flush=True)
    serve(contender, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
