"""Training speed of ganforge against a tutorial-style loop, side by side, in one run.

    nice -n 10 python benchmarks/throughput.py                 # `make bench`: every part
    python benchmarks/throughput.py --parts throughput --reps 7 --models dcgan

Parts (all by default):
- throughput: the same networks, batch, optimizer settings and math trained by ganforge's
  loop (fp32, and bf16 autocast) and by the tutorial loop of tutorial_loop.py, in turns
  (the order rotates each repetition); images/s is the median over repetitions, the ratio
  the median of each repetition's ratio to the tutorial's turn (paired, so a change in
  the machine's load between repetitions cancels out); FLOPs per
  image come from torch's FlopCounterMode, and GFLOP/s is set against the machine's
  measured fp32 matrix-multiply ceiling.
- quality: time for ganforge's DCGAN preset to reach the FD the tutorial loop reaches after
  5 epochs (time_to_quality.py).
- eval: seconds to sample 10,000 images from the DCGAN and to evaluate them (budgets.py).
- memory: peak RSS of a `ganforge train --preset dcgan-fashion` run (budgets.py).

Needs the Fashion-MNIST data (GANFORGE_DATA, as for `ganforge train`). Every number printed
comes from this run; the machine and its load average are printed with them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_util as bu  # noqa: E402

PRESETS = {"mlp": "mlp-fashion", "dcgan": "dcgan-fashion"}
STEPS = {"mlp": 200, "dcgan": 100}  # steps per repetition (a few seconds each)
EPOCH = 60_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--parts", default="throughput,quality,eval,memory",
                   help="comma-separated: throughput, quality, eval, memory")
    p.add_argument("--models", default="mlp,dcgan", help="comma-separated: mlp, dcgan")
    p.add_argument("--precisions", default="fp32,bf16", help="ganforge precisions to time")
    p.add_argument("--reps", type=int, default=5, help="repetitions per contender")
    p.add_argument("--steps", type=int, help="steps per repetition (default: per model)")
    p.add_argument("--quality-epochs", type=int, default=5,
                   help="epochs of the tutorial loop that set the FD target")
    p.add_argument("--limit", type=int, default=0,
                   help="train on the first N images only (a quick trial of this script)")
    return p.parse_args(argv)


def time_model(model: str, args: argparse.Namespace, ceiling: float) -> list[str]:
    preset, steps = PRESETS[model], args.steps or STEPS[model]
    found = [bu.Contender("tutorial", preset, "fp32", limit=args.limit)]
    found += [bu.Contender("ganforge", preset, p, limit=args.limit)
              for p in args.precisions.split(",")]
    rates: dict[str, list[float]] = {c.name: [] for c in found}
    try:
        for rep in range(args.reps):
            turn = rep % len(found)
            for contender in found[turn:] + found[:turn]:
                rates[contender.name].append(contender.run(steps))
            print(f"  {model} rep {rep + 1}/{args.reps}: " + ", ".join(
                f"{n} {r[-1]:.0f}" for n, r in rates.items()), flush=True)
    finally:
        for contender in found:
            contender.close()
    lines = []
    for contender in found:
        values = rates[contender.name]
        rate = statistics.median(values)
        # paired: each repetition's ratio to the tutorial's turn of the same repetition
        ratio = statistics.median(v / t for v, t in zip(values, rates["tutorial"], strict=True))
        gflops = contender.flops * rate / 1e9
        lines.append(f"{model:<6} {contender.name:<14} {rate:>8.0f} "
                     f"{min(values):>5.0f}-{max(values):<5.0f} {ratio:>6.2f}x "
                     f"{EPOCH / rate:>8.1f} {contender.flops / 1e6:>9.1f} {gflops:>8.1f} "
                     f"{100 * gflops / ceiling:>6.1f}%")
    return lines


def throughput(args: argparse.Namespace) -> None:
    ceiling = bu.matmul_ceiling()
    print(f"fp32 matrix-multiply ceiling: {ceiling:.1f} GFLOP/s "
          f"(best of 10 2048x2048 products, {torch.get_num_threads()} threads)")
    print(f"Fashion-MNIST, batch 64, one D step per G step; median of {args.reps} repetitions "
          f"taken in turns; each loop in its own process, both in the environment "
          "this script was started in")
    rows = []
    for model in args.models.split(","):
        rows += time_model(model, args, ceiling)
    print(f"{'model':<6} {'loop':<14} {'images/s':>8} {'range':^11} {'ratio':>7} "
          f"{'s/epoch':>8} {'MFLOP/img':>9} {'GFLOP/s':>8} {'ceil':>7}")
    for row in rows:
        print(row)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    parts = args.parts.split(",")
    for line in bu.machine_lines():
        print(line)
    if "throughput" in parts:
        throughput(args)
    if "quality" in parts:
        import time_to_quality

        time_to_quality.run(args.quality_epochs, args.limit)
    if "eval" in parts or "memory" in parts:
        import budgets

        if "eval" in parts:
            budgets.eval_speed()
        if "memory" in parts:
            budgets.peak_memory()
    print(bu.load_text() + " at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
