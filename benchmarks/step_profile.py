"""Where a training step's time goes, each torch operation's milliseconds per step.

Of ganforge's loop or the tutorial-style loop of side_by_side.py, on made-up images:

    python benchmarks/step_profile.py [--model dcgan28] [--loop ganforge|tutorial]
        [--steps 50] [--top 25]

Every operation the step dispatches is timed as it runs (a TorchDispatchMode around the
steps; on CPU an operation has finished when it returns), grouped by name and the shapes of
its first two tensor arguments, and the largest are printed with their calls per step. The
step's own time without the timing is printed first, so that what the timing adds is seen;
the operations' sum leaves out Python, the autograd engine's bookkeeping and the timing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import torch
from torch.utils._python_dispatch import TorchDispatchMode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import side_by_side as sbs  # noqa: E402


class OpTimes(TorchDispatchMode):
    """Seconds and calls of each (operation, shapes of its first two tensors)."""

    def __init__(self):
        super().__init__()
        self.seconds: dict[tuple, float] = defaultdict(float)
        self.calls: dict[tuple, int] = defaultdict(int)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        start = time.perf_counter()
        out = func(*args, **(kwargs or {}))
        shapes = tuple(tuple(a.shape) for a in args if isinstance(a, torch.Tensor))[:2]
        key = (func.overloadpacket.__name__, shapes)
        self.seconds[key] += time.perf_counter() - start
        self.calls[key] += 1
        return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="dcgan28", choices=tuple(sbs.MODELS))
    p.add_argument("--loop", default="ganforge", choices=("ganforge", "tutorial"))
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--top", type=int, default=25)
    args = p.parse_args(argv)
    make = sbs.GanforgeLoop if args.loop == "ganforge" else sbs.TutorialLoop
    loop = make(args.model, 64, "cpu")
    loop.steps(5)  # warm-up
    plain = 1e3 / sbs.rate(loop, args.steps) * loop.batch
    times = OpTimes()
    with times:
        loop.steps(args.steps)
    total = sum(times.seconds.values()) * 1e3 / args.steps
    print("\n".join(sbs.bu.machine_lines()))
    print(f"{args.model}, {args.loop} loop, batch 64: {plain:.1f} ms a step untimed; "
          f"the operations' sum {total:.1f} ms a step")
    print(f"{'ms/step':>8} {'calls':>5}  operation (shapes of its first two tensors)")
    for key in sorted(times.seconds, key=times.seconds.get, reverse=True)[: args.top]:
        print(f"{times.seconds[key] * 1e3 / args.steps:8.3f} {times.calls[key] / args.steps:5.1f}"
              f"  {key[0]} {' '.join(str(list(s)) for s in key[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
