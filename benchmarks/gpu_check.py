"""One prepared check of ganforge on a GPU: its CUDA tests, then every model's speed.

    python benchmarks/gpu_check.py                       # `make gpu-check`: on one GPU
    python benchmarks/gpu_check.py --device cpu --quick  # the same script, in seconds, on CPU

1. The CUDA tests (TEST_FILES -k cuda; they skip without CUDA), in a process of their own
   with at most half the budget (a timeout is recorded as such).
2. The measured matrix-product ceilings: fp32 (TF32 on CUDA, as ganforge trains there) and
   bf16, best of several square products.
3. Images/s of the tutorial-style loop (tutorial64.py) and of ganforge in fp32 (TF32 on
   CUDA), bf16, compiled (torch.compile) and captured (compile mode reduce-overhead: CUDA
   graphs), for MLP and DCGAN28 at batch 64 and 512 and for dcgan64 and t2i64 at batch 64
   and 256 (side_by_side.py's made-up data: nothing is read or downloaded); FLOPs per image,
   each figure's share of its precision's ceiling, and the peak GPU memory of each (what
   the row allocated beyond what was allocated when it began). Compiled and captured steps
   are timed at one batch per model (64 for the small models, whose steps are launch-bound;
   256 in bf16 for the 64x64 ones), to fit the time budget.

Writes OUT/gpu_check.json and OUT/gpu_check.txt (the table) as it goes: whole, through a
temporary file and a rename, after the tests, after the ceilings and after every row, so a
run killed at any point leaves what it had measured; prints the table at the end. Anything
left when --budget-s seconds have passed is listed as skipped, and a compiled or captured
row starts only while COMPILE_RESERVE_S seconds of the budget remain (its compilation takes
a minute or more). --quick shrinks the networks, batches and steps so that the whole script
runs on a CPU in seconds (it checks the script, not the figures); compiling is skipped
there (minutes on a CPU). --device cuda:N measures on card N (made the current device, so
calls without a device act on it too).
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_util as bu  # noqa: E402
import side_by_side as sbs  # noqa: E402

from ganforge.fileio import atomic_write_text  # noqa: E402
from ganforge.runtime.device import resolve_device  # noqa: E402

BATCHES = {"mlp": (64, 512), "dcgan28": (64, 512), "dcgan64": (64, 256), "t2i64": (64, 256)}
FAST = {"mlp": (64, "fp32"), "dcgan28": (64, "fp32"), "dcgan64": (256, "bf16"),
        "t2i64": (256, "bf16")}  # (batch, precision) of the compiled and captured steps
STEPS = {"mlp": 200, "dcgan28": 200, "dcgan64": 30, "t2i64": 30}
QUICK = {"mlp": {"g_hidden": "8", "d_hidden": "8"}}  # --quick: tiny networks (else width 4)
TEST_FILES = ("tests/runtime/test_gpu_path.py", "tests/training/test_resume_devices.py")
TESTS_SHARE = 0.5  # the CUDA tests' timeout, as a share of --budget-s
COMPILE_RESERVE_S = 120.0  # budget a compiled or captured row needs left to start
PEAK_NOTE = ("peak MB: the most GPU memory a row allocated beyond what was allocated when it "
             "began (max_memory_allocated minus memory_allocated at the reset)")


def run_tests(timeout: float) -> dict:
    """The CUDA tests in a process of their own, killed after `timeout` seconds: their exit
    code (None when killed) and summary line."""
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-k", "cuda", "-rs",
           *(str(HERE.parent / name) for name in TEST_FILES)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE.parent,
                              timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        lines = _text(exc.stdout).strip().splitlines()
        return {"exit_code": None, "timed_out": True,
                "summary": f"timed out after {timeout:.0f} s (killed)", "skip_reasons": [],
                "last_lines": lines[-5:]}
    lines = done.stdout.strip().splitlines()
    return {"exit_code": done.returncode, "timed_out": False,
            "summary": lines[-1].strip("= ") if lines else done.stderr[-300:],
            "skip_reasons": sorted({line.split(": ", 1)[-1] for line in lines
                                    if "SKIPPED" in line})}


def _text(output: bytes | str | None) -> str:
    """A timed-out subprocess's output so far (bytes even when text was asked for)."""
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""


def ceiling(device: str, dtype: torch.dtype, size: int, reps: int = 10) -> float:
    """Best GFLOP/s of a size x size product in `dtype` (fp32 runs as TF32 on CUDA)."""
    if device == "cpu":
        return bu.matmul_ceiling(size, reps, dtype)
    torch.backends.cuda.matmul.allow_tf32 = True
    a = torch.randn(size, size, device=device, dtype=dtype)
    b = torch.randn(size, size, device=device, dtype=dtype)
    a @ b
    best = float("inf")
    for _ in range(reps):
        torch.cuda.synchronize()
        start = time.perf_counter()
        a @ b
        torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def variants(model: str, quick: bool, device: str) -> list[tuple[int, str, dict, str]]:
    """(batch, loop name, ganforge options, reason to skip or '') of each measurement."""
    batches = (16,) if quick else BATCHES[model]
    out = []
    for batch in batches:
        out += [(batch, "tutorial", {}, ""), (batch, "ganforge fp32", {}, ""),
                (batch, "ganforge bf16", {"precision": "bf16"}, "")]
    fast_batch, precision = (16, "fp32") if quick else FAST[model]
    skip = "--quick: compiling takes minutes on a CPU" if quick else ""
    out.append((fast_batch, f"compiled {precision}",
                {"precision": precision, "compile": "true"}, skip))
    out.append((fast_batch, f"captured {precision}",
                {"precision": precision, "compile": "true", "compile_mode": "reduce-overhead"},
                "" if device.startswith("cuda") else "CUDA graphs need a CUDA device"))
    return out


def measure(model: str, batch: int, name: str, options: dict, args) -> dict:
    """One loop's images/s, FLOPs per image and peak GPU memory (beyond what was allocated
    when it began: the earlier rows' leftovers do not count)."""
    shrink = QUICK.get(model, {"width": "4"}) if args.quick else {}
    cuda = args.device.startswith("cuda")
    if cuda:
        gc.collect()  # the earlier loops' reference cycles still hold their tensors
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(args.device)
        base = torch.cuda.memory_allocated(args.device)
    if name == "tutorial":
        loop = sbs.TutorialLoop(model, batch, args.device, **shrink)
    else:
        loop = sbs.GanforgeLoop(model, batch, args.device, count="compile" not in options,
                                **shrink, **options)
    steps = 2 if args.quick else STEPS[model]
    loop.steps(1 if args.quick else max(3, steps // 5))  # warm-up (and compilation)
    rate = sbs.rate(loop, steps)
    peak = (torch.cuda.max_memory_allocated(args.device) - base) / 2**20 if cuda else None
    return {"model": model, "batch": batch, "loop": name, "images_per_s": rate,
            "mflop_per_image": loop.flops / 1e6, "peak_gpu_mb": peak}


def budget_skip(options: dict, args, start: float) -> str:
    """Why a planned row is skipped for time ('' when it may start): the budget spent, or
    too little of it left to compile."""
    left = args.budget_s - (time.perf_counter() - start)
    if left <= 0:
        return f"time budget of {args.budget_s:.0f} s spent"
    if "compile" in options and left < COMPILE_RESERVE_S:
        return (f"{left:.0f} s of the {args.budget_s:.0f} s budget left, under the "
                f"{COMPILE_RESERVE_S:.0f} s compiling needs")
    return ""


def measure_all(args, start: float, rows: list[dict], saved: Callable[[], object]) -> None:
    """Every planned measurement into `rows`, eager ones first (compiling may run into the
    budget); `saved()` after each row writes what there is so far."""
    plan = [(model, *v) for model in args.models.split(",")
            for v in variants(model, args.quick, args.device)]
    plan.sort(key=lambda p: "compile" in p[3])
    for model, batch, name, options, skip in plan:
        skip = skip or budget_skip(options, args, start)
        row = {"model": model, "batch": batch, "loop": name, "skipped": skip} if skip \
            else measure(model, batch, name, options, args)
        rows.append(row)
        saved()
        print(f"  {model} batch {batch} {name}: " + (f"{row['images_per_s']:.0f} images/s"
              if not skip else f"skipped ({skip})"), flush=True)


def table(rows: list[dict], ceilings: dict[str, float]) -> list[str]:
    """The rows as text, each with its ratio to the tutorial loop at the same batch and its
    share of its precision's ceiling (compiled rows use the eager rows' FLOPs)."""
    lines = [f"{'model':<8} {'batch':>5} {'loop':<16} {'images/s':>10} {'ratio':>7} "
             f"{'MFLOP/img':>9} {'GFLOP/s':>9} {'ceil':>7} {'peak MB':>8}  note"]
    flops = {(r["model"], r["batch"]): r["mflop_per_image"] for r in rows
             if r["loop"] == "ganforge fp32" and "images_per_s" in r}
    for r in rows:
        if "images_per_s" not in r:
            lines.append(f"{r['model']:<8} {r['batch']:>5} {r['loop']:<16} {'-':>10} "
                         f"{'':>7} {'':>9} {'':>9} {'':>7} {'':>8}  skipped: {r['skipped']}")
            continue
        tutorial = next((t["images_per_s"] for t in rows if t["loop"] == "tutorial" and
                         t["model"] == r["model"] and t["batch"] == r["batch"]
                         and "images_per_s" in t), None)
        mflop = r["mflop_per_image"] or flops.get((r["model"], r["batch"]), 0.0)
        gflops = mflop * r["images_per_s"] / 1e3
        ceil = ceilings["bf16" if "bf16" in r["loop"] else "fp32"]
        r.update(gflop_per_s=gflops, ceiling_share=gflops / ceil,
                 ratio=r["images_per_s"] / tutorial if tutorial else None)
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] else "-"
        peak = f"{r['peak_gpu_mb']:.0f}" if r["peak_gpu_mb"] is not None else "-"
        lines.append(f"{r['model']:<8} {r['batch']:>5} {r['loop']:<16} "
                     f"{r['images_per_s']:>10.0f} {ratio:>7} {mflop:>9.1f} {gflops:>9.1f} "
                     f"{100 * r['ceiling_share']:>6.1f}% {peak:>8}")
    return lines


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cuda", help="cuda, cuda:N or cpu")
    p.add_argument("--quick", action="store_true", help="tiny networks and steps (a check "
                   "of this script)")
    p.add_argument("--out", default="runs/gpu-check", help="folder of the JSON and table "
                   "(written as the check goes)")
    p.add_argument("--budget-s", type=float, default=420.0,
                   help="seconds after which the measurements left are skipped")
    p.add_argument("--models", default=",".join(BATCHES))
    p.add_argument("--no-tests", action="store_true", help="leave out the CUDA tests")
    return p.parse_args(argv)


def save(out: Path, result: dict, start: float) -> list[str]:
    """Write the JSON and the table whole, each through a temporary file and a rename (a
    reader, or a kill, never finds half a file); returns the table's lines."""
    result["seconds"] = time.perf_counter() - start
    lines = table(result["rows"], result["ceilings_gflop_per_s"])
    atomic_write_text(out / "gpu_check.json", json.dumps(result, indent=1))
    atomic_write_text(out / "gpu_check.txt", "\n".join([*result["machine"], *lines]) + "\n")
    return lines


def begin(args) -> list[str]:
    """Check the device (an indexed CUDA device made the current one, so that calls without
    a device act on it) and return the header's first lines, printed."""
    if torch.device(args.device).type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("gpu_check: no CUDA device here (use --device cpu --quick to "
                         "check the script)")
    device = resolve_device(args.device)  # cuda:N: made the current device
    card = torch.cuda.get_device_name(device) if device.type == "cuda" else bu.cpu_name()
    header = [f"device: {card}", *bu.machine_lines(), PEAK_NOTE]
    print("\n".join(header), flush=True)
    return header


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    start = time.perf_counter()
    header = begin(args)
    out = Path(args.out)
    result = {"device": header[0].split(": ", 1)[1], "machine": header, "quick": args.quick,
              "tests": None, "ceilings_gflop_per_s": {}, "rows": [], "seconds": 0.0}
    save(out, result, start)
    tests = None if args.no_tests else run_tests(TESTS_SHARE * args.budget_s)
    result["tests"] = tests
    header.append(f"CUDA tests: {tests['summary'] if tests else 'not run'}")
    print(header[-1], flush=True)
    save(out, result, start)
    size = 256 if args.quick else (8192 if args.device != "cpu" else 1024)
    ceilings = {"fp32": ceiling(args.device, torch.float32, size),
                "bf16": ceiling(args.device, torch.bfloat16, size)}
    result["ceilings_gflop_per_s"] = ceilings
    header.append(f"ceilings (GFLOP/s, best {size}x{size} product): fp32"
                  f"{'/TF32' if args.device != 'cpu' else ''} {ceilings['fp32']:.0f}, bf16 "
                  f"{ceilings['bf16']:.0f}")
    print(header[-1], flush=True)
    measure_all(args, start, result["rows"], lambda: save(out, result, start))
    lines = save(out, result, start)
    print("\n".join(lines))
    print(f"{time.perf_counter() - start:.0f} s; wrote {out / 'gpu_check.json'} and "
          f"{out / 'gpu_check.txt'}")
    return 1 if tests and tests["exit_code"] not in (0, 5) else 0


if __name__ == "__main__":
    sys.exit(main())
