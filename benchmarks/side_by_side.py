"""Every model's training speed, ganforge against a tutorial-style loop of the same networks,
on any device, from images made up in memory (the speed of a step does not depend on what
the images show, and nothing is read or downloaded).

    nice -n 10 python benchmarks/side_by_side.py [--models mlp,dcgan28,dcgan64,t2i64]
        [--reps 3] [--steps 0] [--device cpu] [--batch 64] [--precisions fp32,bf16]
        [--compiled]

Models: mlp (mlp-mnist's networks, 28x28x1), dcgan28 (dcgan-mnist's), dcgan64 (the dcgan64
preset's DCGAN, 64x64x3), t2i64 (t2i-spec's text-to-image pair at 64x64x3 and width 64, the
width of t2i-flowers, with 384-dimensional caption vectors and 102 classes). Each repetition
times the two loops in turns in this process (the order alternates); images/s is the median
over repetitions and the ratio the median of the paired ratios. GFLOP/s (FlopCounterMode)
is set against the measured matrix-product ceiling of the row's precision. Besides ganforge's
default (fp32), a "ganforge bf16" row times the opt-in `--precision bf16` (autocast) where
the CPU computes bf16 natively (oneDNN's check: AVX512-BF16 or AMX), against the same
fp32 tutorial loop; with `--compiled`, a "ganforge compiled" row times fp32 under the
opt-in `--compile true`. gpu_check.py uses the same pieces.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_util as bu  # noqa: E402
import tutorial64 as t64  # noqa: E402

from ganforge.config import resolve_config  # noqa: E402
from ganforge.data.dataset import ImageData  # noqa: E402
from ganforge.models import build_models  # noqa: E402
from ganforge.training import grid  # noqa: E402
from ganforge.training.run import fit_to_data  # noqa: E402

# model -> (preset, channels, size, overrides)
MODELS = {"mlp": ("mlp-mnist", 1, 28, {}), "dcgan28": ("dcgan-mnist", 1, 28, {}),
          "dcgan64": ("dcgan64", 3, 64, {}), "t2i64": ("t2i-spec", 3, 64, {"width": "64"})}
STEPS = {"mlp": 200, "dcgan28": 100, "dcgan64": 20, "t2i64": 20}  # per turn on this CPU
TEXT_DIM, CLASSES = 384, 102


def made_up(model: str, n: int) -> ImageData:
    """n random images of the model's shape (and caption vectors for t2i64), seeded."""
    _, channels, size, _ = MODELS[model]
    g = torch.Generator().manual_seed(0)
    text = torch.randn(n, 2, TEXT_DIM, generator=g) if model == "t2i64" else None
    return ImageData(torch.randint(0, 256, (n, channels, size, size), dtype=torch.uint8,
                                   generator=g),
                     torch.randint(0, CLASSES, (n,), generator=g),
                     tuple(f"class {i}" for i in range(CLASSES)), f"made-up {model}", text=text)


def config_for(model: str, batch: int, device: str, **options: str):
    preset, channels, size, overrides = MODELS[model]
    data = made_up(model, 4)
    config = resolve_config(preset, overrides={**overrides, "batch_size": str(batch),
                                               "device": device, "eval_every": "0",
                                               "log_every": "50", **options})
    fields = data.model_fields() if data.text is not None else None
    return fit_to_data(config, channels, size, fields)


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def _made_up_grid(config, noise: torch.Tensor, seed: int, train=None):
    """The sample grid's captions of a text run, made up (the real ones are the data set's
    held-out captions; the grid is drawn only at an epoch's end, which no timing reaches)."""
    del config, train
    g = torch.Generator().manual_seed(seed)
    return torch.randn(len(noise), TEXT_DIM, generator=g).to(noise.device), None


grid.GRID_CONDITIONS["text"] = _made_up_grid  # this process trains on made-up data only


class GanforgeLoop:
    """ganforge's training loop (bench_util.GanforgeRun) on made-up data."""

    def __init__(self, model: str, batch: int, device: str, count: bool = True,
                 **options: str):
        self.device, self.batch = device, batch
        data = made_up(model, max(8 * batch, 512))
        self.run = bu.GanforgeRun(config_for(model, batch, device, **options), data,
                                  Path(tempfile.mkdtemp(prefix="ganforge-sbs-")) / "run")
        # compiled networks are not counted (the same math as the eager ones)
        self.flops = bu.count_flops(self.run.one_batch_step) / batch if count else 0.0

    def steps(self, n: int) -> None:
        self.run.steps(n)


class TutorialLoop:
    """tutorial64's loop on the same made-up data and freshly built networks."""

    def __init__(self, model: str, batch: int, device: str, **options: str):
        self.device, self.batch = device, batch
        config = config_for(model, batch, "cpu", **options)
        torch.manual_seed(config.train.seed)
        data = made_up(model, max(8 * batch, 512))
        text = None if data.text is None else data.text.numpy()
        self.gan = t64.build(*build_models(config.model), config, torch.device(device),
                             text is not None)
        self.stream = t64.loader(data.images.numpy(), data.labels.numpy(), text, batch)
        self.flops = bu.count_flops(lambda: t64.train_step(self.gan, next(self.stream))) / batch

    def steps(self, n: int) -> None:
        for _ in range(n):
            t64.train_step(self.gan, next(self.stream))


def rate(loop, steps: int) -> float:
    """Images/s of `steps` steps (the device's queue drained before and after)."""
    sync(loop.device)
    start = time.perf_counter()
    loop.steps(steps)
    sync(loop.device)
    return steps * loop.batch / (time.perf_counter() - start)


def side_by_side(model: str, args: argparse.Namespace, ceilings: dict[str, float]
                 ) -> list[str]:
    loops = {"tutorial": TutorialLoop(model, args.batch, args.device)}
    for precision in args.precisions:
        loops[f"ganforge {precision}"] = GanforgeLoop(model, args.batch, args.device,
                                                      precision=precision)
    if args.compiled:  # fp32 under torch.compile: the arithmetic of the fp32 row, fused
        compiled = GanforgeLoop(model, args.batch, args.device, count=False, compile="true")
        eager = loops.get("ganforge fp32") or GanforgeLoop(model, args.batch, args.device)
        compiled.flops, loops["ganforge compiled"] = eager.flops, compiled
    steps = args.steps or STEPS[model]
    for loop in loops.values():
        loop.steps(max(2, steps // 10))  # warm-up
    rates: dict[str, list[float]] = {name: [] for name in loops}
    for rep in range(args.reps):
        order = list(loops) if rep % 2 == 0 else list(loops)[::-1]
        for name in order:
            rates[name].append(rate(loops[name], steps))
        print(f"  {model} rep {rep + 1}/{args.reps}: " + ", ".join(
            f"{n} {r[-1]:.0f}" for n, r in rates.items()), flush=True)
    return [row(model, name, rates[name], rates["tutorial"], loops[name].flops,
                ceilings["bf16" if name.endswith("bf16") else "fp32"]) for name in loops]


def row(model: str, name: str, values: list[float], tutorial: list[float], flops: float,
        ceiling: float) -> str:
    median = statistics.median(values)
    ratio = statistics.median(v / t for v, t in zip(values, tutorial, strict=True))
    gflops = flops * median / 1e9
    return (f"{model:<8} {name:<17} {median:>9.0f} {min(values):>6.0f}-{max(values):<6.0f} "
            f"{ratio:>6.2f}x {flops / 1e6:>9.1f} {gflops:>8.1f} {100 * gflops / ceiling:>6.1f}%")


def native_bf16() -> bool:
    """Whether this CPU computes bf16 natively (oneDNN's own check: AVX512-BF16 or AMX)."""
    return bool(torch.backends.mkldnn.is_available()
                and torch.ops.mkldnn._is_mkldnn_bf16_supported())


HEADER = (f"{'model':<8} {'loop':<17} {'images/s':>9} {'range':^13} {'ratio':>7} "
          f"{'MFLOP/img':>9} {'GFLOP/s':>8} {'ceil':>7}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--steps", type=int, default=0, help="steps per turn (default: per model)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--device", default="cpu")
    p.add_argument("--precisions", default="fp32,bf16",
                   help="ganforge's rows (bf16 only where the CPU has it natively)")
    p.add_argument("--compiled", action="store_true",
                   help="add a row of ganforge in fp32 under --compile true (torch.compile; "
                        "its first steps compile, in the warm-up)")
    args = p.parse_args(argv)
    for line in bu.machine_lines():
        print(line)
    args.precisions = [x for x in args.precisions.split(",")
                       if x != "bf16" or args.device != "cpu" or native_bf16()]
    cpu = args.device == "cpu"
    ceilings = {"fp32": bu.matmul_ceiling() if cpu else float("nan"),
                "bf16": bu.matmul_ceiling(dtype=torch.bfloat16) if cpu and
                "bf16" in args.precisions else float("nan")}
    print(f"matrix-multiply ceilings: fp32 {ceilings['fp32']:.1f}, bf16 {ceilings['bf16']:.1f}"
          f" GFLOP/s; batch {args.batch}, made-up images, the loops in this process in turns, "
          f"median of {args.reps}", flush=True)
    rows = [line for model in args.models.split(",")
            for line in side_by_side(model, args, ceilings)]
    print(HEADER)
    print("\n".join(rows))
    print(bu.load_text() + " at the end")
    return 0


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    sys.exit(main())
