"""Training speed of the text-to-image preset at several widths: images/s of a short run.

    python benchmarks/t2i_speed.py [--preset t2i-synthetic-flowers] [--widths 16,24,32]
        [--steps 50] [--warmup 10] [--dataset synthetic-flowers] [--device cuda]
        [--set polar_harmonics=0 ...]

Without --widths, the preset's own width. --dataset trains the preset's networks on another
data set of the same image shape: `--preset t2i-flowers --dataset synthetic-flowers` times
the full-size Oxford preset where its photographs are not at hand (`make bench` runs both).
--set NAME=VALUE changes any other setting of the preset, as `ganforge train --NAME VALUE`.

Each width trains `--steps` generator steps (one D step each, batch of the preset) in this
process, with logging every step and no evaluation; images/s counts the real images D sees
from step `--warmup` to the last step, so set-up, encoding and the first steps are left out.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import torch

from ganforge.config import resolve_config
from ganforge.training.observers import Observer
from ganforge.training.run import train


class StepClock(Observer):
    """The time each step's record arrived."""

    def __init__(self) -> None:
        self.times: dict[int, float] = {}

    def on_records(self, loop, records) -> None:
        now = time.perf_counter()
        for record in records:
            self.times[int(record["step"])] = now


def images_per_second(preset: str, width: int | None, steps: int, warmup: int,
                      dataset: str | None = None, device: str = "auto",
                      settings: dict[str, str] | None = None) -> float:
    clock = StepClock()
    overrides = {**(settings or {}), "max_steps": str(steps), "log_every": "1",
                 "eval_every": "0", "device": device}
    overrides.update({"width": str(width)} if width else {})
    overrides.update({"dataset": dataset} if dataset else {})
    config = resolve_config(preset, overrides=overrides)
    with tempfile.TemporaryDirectory() as out:
        train(config, Path(out) / "run", progress=False, observers=[clock])
    last = max(clock.times)
    return (last - warmup) * config.train.batch_size / (clock.times[last] - clock.times[warmup])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="t2i-synthetic-flowers")
    parser.add_argument("--widths", default="", help="comma-separated (default: the preset's)")
    parser.add_argument("--dataset", help="train on this data set instead of the preset's")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE",
                        help="other settings of the preset")
    args = parser.parse_args()
    if any("=" not in item for item in args.set):
        parser.error(f"--set takes NAME=VALUE, got {args.set}")
    settings = dict(item.split("=", 1) for item in args.set)
    data = f", data {args.dataset}" if args.dataset else ""
    data += "".join(f", {name}={value}" for name, value in settings.items())
    print(f"{args.preset}{data}: torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    own = resolve_config(args.preset).model.width
    for width in [int(w) for w in args.widths.split(",") if w] or [own]:
        speed = images_per_second(args.preset, width, args.steps, args.warmup, args.dataset,
                                  args.device, settings)
        print(f"width {width:>3}: {speed:7.1f} images/s "
              f"({args.steps - args.warmup} steps timed)", flush=True)


if __name__ == "__main__":
    main()
