"""Training speed of ganforge against a tutorial-style loop, side by side, in one run.

    nice -n 10 python benchmarks/throughput.py                 # `make bench`: every part
    python benchmarks/throughput.py --parts throughput --reps 7 --models dcgan

Parts (all by default):
- throughput: the same networks, batch, optimizer settings and math trained by ganforge's
  loop (fp32, and bf16 autocast) and by the tutorial loop of tutorial_loop.py, in turns
  (the order rotates each repetition); images/s is the median over repetitions; FLOPs per
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
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_util as bu  # noqa: E402
import tutorial_loop as tl  # noqa: E402

from ganforge.models import build_models  # noqa: E402

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
    return p.parse_args(argv)


def contenders(model: str, precisions: list[str]) -> dict[str, tuple]:
    """name -> (run(n) callable, one-step callable for FLOP counting, batch size)."""
    preset = PRESETS[model]
    data, images, labels = bu.training_data(preset)
    found = {}
    for precision in precisions:
        run = bu.GanforgeRun(bu.config_for(preset, {"precision": precision}), data)
        found[f"ganforge {precision}"] = (run.steps, run.one_batch_step,
                                          run.config.train.batch_size)
    config = run.config
    torch.manual_seed(config.train.seed)  # the same initial weights as ganforge's
    gan = tl.build_tutorial(*build_models(config.model), config)
    size = config.train.batch_size
    stream = tl.batches(tl.make_loader(images, labels, size, config.train.seed))
    found["tutorial"] = (lambda n: tl.run_steps(gan, stream, n),
                         lambda: tl.train_step(gan, next(stream)), size)
    return found


def flops_per_image(found: dict[str, tuple]) -> dict[str, float]:
    """FLOPs of one training step per image, on throwaway copies' state (run once each)."""
    return {name: bu.count_flops(one) / size for name, (_, one, size) in found.items()}


def time_model(model: str, args: argparse.Namespace, ceiling: float) -> list[str]:
    found = contenders(model, args.precisions.split(","))
    steps = args.steps or STEPS[model]
    flops = flops_per_image(found)
    timings = bu.Timings()
    names = list(found)
    for name in names:  # warm-up: first calls allocate and pick kernels
        found[name][0](10)
    for rep in range(args.reps):
        turn = rep % len(names)
        for name in names[turn:] + names[:turn]:
            run, _, size = found[name]
            timings.measure(name, run, steps, size)
        print(f"  {model} rep {rep + 1}/{args.reps}: " + ", ".join(
            f"{n} {timings.rates[n][-1]:.0f}" for n in names), flush=True)
    base = timings.median("tutorial")
    lines = []
    for name in ["tutorial", *[n for n in names if n != "tutorial"]]:
        rate = timings.median(name)
        gflops = flops[name] * rate / 1e9
        lines.append(f"{model:<6} {name:<14} {rate:>8.0f} {timings.spread(name):>11} "
                     f"{rate / base:>7.2f}x {EPOCH / rate:>8.1f} {flops[name] / 1e6:>9.1f} "
                     f"{gflops:>8.1f} {100 * gflops / ceiling:>6.1f}%")
    return lines


def throughput(args: argparse.Namespace) -> None:
    ceiling = bu.matmul_ceiling()
    print(f"fp32 matrix-multiply ceiling: {ceiling:.1f} GFLOP/s "
          f"(best of 10 2048x2048 products, {torch.get_num_threads()} threads)")
    print(f"Fashion-MNIST, batch 64, one D step per G step; median of {args.reps} "
          "repetitions taken in turns")
    rows = []
    for model in args.models.split(","):
        rows += time_model(model, args, ceiling)
    print(f"{'model':<6} {'loop':<14} {'images/s':>8} {'range':>11} {'ratio':>8} "
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

        time_to_quality.run(args.quality_epochs)
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
