"""How much ganforge's CPU convolution layers (src/ganforge/runtime/cpu_layers.py) speed up
a DCGAN training step, against the torch layers they replace.

    python benchmarks/cpu_layers.py --turns 40

One process, one run of the preset on Fashion-MNIST; turns of `--steps` training steps
alternate between the swapped layers and the torch ones (the same modules, their class
switched back), in an order that flips every turn. Prints each turn's images/s and the
median of the paired speedups, so that a change of the machine's speed between turns
cancels out. Needs the data set (GANFORGE_DATA, as for `ganforge train`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_util as bu  # noqa: E402

from ganforge.runtime import cpu_layers  # noqa: E402

TORCH_CLASS = {cpu_layers.MatmulConv2d: nn.Conv2d,
               cpu_layers.MatmulConvTranspose2d: nn.ConvTranspose2d}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="dcgan-fashion")
    p.add_argument("--turns", type=int, default=20, help="pairs of turns")
    p.add_argument("--steps", type=int, default=30, help="training steps per turn")
    p.add_argument("--limit", type=int, default=6400, help="training images loaded")
    args = p.parse_args(argv)
    data, _, _ = bu.training_data(args.preset, args.limit)
    run = bu.GanforgeRun(bu.config_for(args.preset, {"log_every": "25"}), data)
    trainer = run.loop.trainer
    swapped = [m for net in (trainer.generator, trainer.discriminator) for m in net.modules()
               if type(m) in TORCH_CLASS]
    classes = {"cpu_layers": [type(m) for m in swapped],
               "torch": [TORCH_CLASS[type(m)] for m in swapped]}
    print("\n".join(bu.machine_lines()))
    print(f"{args.preset}: {len(swapped)} layers swapped; turns of {args.steps} steps")
    run.steps(10)  # warm-up
    speedups = []
    for turn in range(args.turns):
        seconds = {}
        for name in (("torch", "cpu_layers") if turn % 2 == 0 else ("cpu_layers", "torch")):
            for module, cls in zip(swapped, classes[name], strict=True):
                module.__class__ = cls
            start = time.perf_counter()
            run.steps(args.steps)
            seconds[name] = time.perf_counter() - start
        speedups.append(seconds["torch"] / seconds["cpu_layers"])
        rates = {k: args.steps * run.config.train.batch_size / v for k, v in seconds.items()}
        print(f"  turn {turn + 1}/{args.turns}: torch layers {rates['torch']:.0f}, "
              f"cpu_layers {rates['cpu_layers']:.0f} images/s, speedup {speedups[-1]:.3f}",
              flush=True)
    low, _, high = statistics.quantiles(speedups, n=4)
    print(f"median speedup {statistics.median(speedups):.3f} (quartiles {low:.3f}-{high:.3f}), "
          f"{bu.load_text()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
