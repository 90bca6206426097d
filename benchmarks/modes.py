"""The mode-collapse study: the SPEC's unconditional systems trained plain and with each option
that lets D see the variety of a batch; writes the "Mode collapse" section of
docs/results.md and the plot docs/modes.png.

    make modes                      # = nice -n 10 python benchmarks/modes.py
    python benchmarks/modes.py --parts mlp --variants plain pack4 --seeds 0 --epochs 1 \\
        --limit 6400 --doc /tmp/modes.md --plot /tmp/modes.png       # a smoke run

Parts: `mlp` = the SPEC's MLP GAN (preset mlp-mnist) on MNIST for 5 epochs; `stacked` = the
SPEC's DCGAN (preset dcgan-stacked) on stacked MNIST for 3 epochs. Each run is
`ganforge train --preset P --seed S --epochs E <the variant's settings>`, evaluated at the end
like `ganforge evaluate RUN --seed 0` (10,000 samples; 26,000 for stacked MNIST): classes
covered, KL of the class (or mode) histogram to uniform, FD, precision and recall.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from doc_sections import write_section
from grid import cell, group_runs, record_command, reused, run_tasks

PARTS = {"mlp": ("mlp-mnist", "mnist", 5), "stacked": ("dcgan-stacked", "stacked-mnist", 3)}
# Variant name -> the settings it adds to the preset (the command line's --name value).
VARIANTS: dict[str, dict[str, str]] = {
    "plain": {},
    "pack2": {"pack": "2"},
    "pack3": {"pack": "3", "batch_size": "63"},
    "pack4": {"pack": "4"},
    "mbstd": {"mbstd": "4"},
    "augment": {"augment": "translation,cutout"},
    "ema": {"ema": "0.999", "lr_decay": "linear", "lr_g": "1e-3", "lr_d": "1e-3"},
    "ema-mbstd": {"ema": "0.999", "lr_decay": "linear", "lr_g": "1e-3", "lr_d": "1e-3",
                  "mbstd": "4"},
    "stable": {"ema": "0.999", "lr_decay": "linear", "lr_g": "1e-3", "lr_d": "1e-3",
               "batch_size": "32"},  # = mlp-mnist-stable
}
DEFAULT_VARIANTS = {"mlp": ["plain", "pack4", "mbstd", "augment", "ema", "ema-mbstd", "stable"],
                    "stacked": ["plain", "pack2", "pack3", "mbstd"]}
COLUMNS = {
    "mlp": (("coverage", "classes (of 10)", "{:.0f}"), ("kl_uniform", "KL", "{:.3f}"),
            ("fd", "FD", "{:.2f}"), ("precision", "precision", "{:.3f}"),
            ("recall", "recall", "{:.3f}")),
    "stacked": (("modes", "modes (of 1000)", "{:.0f}"), ("kl_uniform", "KL", "{:.2f}")),
}


def run_one(part: str, variant: str, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    """Train one run of the grid, evaluate its last checkpoint, return its figures."""
    import torch

    from ganforge.config import resolve_config
    from ganforge.metrics.evaluate import evaluate_run
    from ganforge.training.run import train

    torch.set_num_threads(args.threads)
    preset, _, epochs = PARTS[part]
    out = Path(args.root) / part / f"{variant}-s{seed}"
    overrides = {**VARIANTS[variant], "seed": str(seed), "epochs": str(args.epochs or epochs),
                 "eval_every": "0", "keep": "1", "threads": str(args.threads)}
    if args.limit:
        overrides["limit"] = str(args.limit)
    start = time.perf_counter()
    train(resolve_config(preset, overrides=overrides), out, force=True, progress=False)
    seconds = time.perf_counter() - start
    result = evaluate_run(out, None, seed=0)
    row = {"part": part, "variant": variant, "seed": seed, "train_seconds": seconds,
           "settings": VARIANTS[variant], "step": result["step"], "n": result["n"],
           "metrics": result["metrics"], "real": result["real"]}
    (out / "modes.json").write_text(json.dumps(row, indent=1) + "\n")
    print(f"{part} {variant} seed {seed}: {seconds / 60:.1f} min, " + json.dumps(
        {k: v for k, v in result["metrics"].items() if k != "covered"}), flush=True)
    return row


def grouped(rows: list[dict], part: str) -> dict[str, list[dict]]:
    return group_runs(rows, "part", part, "variant", list(VARIANTS))


def table(rows: list[dict], part: str) -> list[str]:
    """One line per variant (mean of the seeds, each seed in brackets), then the real data."""
    columns = COLUMNS[part]
    head = ["variant", "settings", "G steps", *[c[1] for c in columns], "train min"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    groups = grouped(rows, part)
    for variant, runs in groups.items():
        flags = " ".join(f"--{k.replace('_', '-')} {v}" for k, v in runs[0]["settings"].items())
        cells = [cell([r["metrics"][k] for r in runs], f) for k, _, f in columns]
        minutes = cell([r["train_seconds"] / 60 for r in runs], "{:.1f}")
        lines.append(f"| {variant} | `{flags or '(preset)'}` | {runs[0]['step']} | "
                     + " | ".join(cells) + f" | {minutes} |")
    if groups:
        real = next(iter(groups.values()))[0]["real"]
        lines.append("| real data (floor) | | | " + " | ".join(
            f.format(real[k]) if real.get(k) is not None else "-" for k, _, f in columns)
            + " | |")
    return lines


def plot(rows: list[dict], parts: list[str], path: Path) -> None:
    """Per part: recall (MLP) or modes (stacked) of each variant, one point per seed."""
    from matplotlib.figure import Figure

    from ganforge.fileio import atomic_write_bytes

    fig = Figure(figsize=(5.5 * len(parts), 3.8), dpi=100, layout="constrained")
    for i, part in enumerate(parts):
        key = "recall" if part == "mlp" else "modes"
        ax = fig.add_subplot(1, len(parts), i + 1)
        groups = grouped(rows, part)
        for j, runs in enumerate(groups.values()):
            ax.scatter([j] * len(runs), [r["metrics"][key] for r in runs], color=f"C{j}")
        ax.set_xticks(range(len(groups)), list(groups))
        ax.set_title(f"{PARTS[part][1]}: {key} per variant (each seed)")
        ax.grid(True, alpha=0.3)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    atomic_write_bytes(path, buffer.getvalue())


def section(rows: list[dict], args: argparse.Namespace, elapsed: float) -> str:
    text = ["## Mode collapse\n",
            "Written by `benchmarks/modes.py` (`make modes`); do not edit by hand. Command: "
            f"`{args.command}`. Machine: {platform.machine()}, {os.cpu_count()} CPU cores "
            f"(shared), {args.jobs} runs at a time with {args.threads} torch thread(s) each; "
            f"{elapsed / 60:.0f} min.\n",
            "Every run: the preset's layers, loss and optimiser with the variant's settings "
            "added, no labels anywhere; final figures from `ganforge evaluate RUN --seed 0` "
            "(10,000 samples; 26,000 for stacked MNIST). A cell is the mean of the seeds, "
            "each seed's value in brackets.\n"]
    for part in args.parts:
        preset, dataset, epochs = PARTS[part]
        text += [f"### {dataset}, `{preset}`, {args.epochs or epochs} epochs\n",
                 *table(rows, part), ""]
    text.append(f"![recall and modes per variant]"
                f"({os.path.relpath(args.plot, Path(args.doc).parent)})\n")
    return "\n".join(text) + "\n"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--parts", nargs="+", default=["mlp"], choices=list(PARTS))
    p.add_argument("--variants", nargs="+", choices=list(VARIANTS),
                   help="variants to train (default: per part)")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    p.add_argument("--epochs", type=int, default=0, help="epochs (default: per part)")
    p.add_argument("--limit", type=int, default=0, help="training images (default: all)")
    p.add_argument("--jobs", type=int, default=2,
                   help="runs at a time (with --reuse: as many as the runs had)")
    p.add_argument("--threads", type=int, default=1, help="torch threads per run")
    p.add_argument("--root", default="runs/modes", help="folder for the runs")
    p.add_argument("--doc", default="docs/results.md")
    p.add_argument("--plot", default="docs/modes.png")
    p.add_argument("--reuse", action="store_true", help="rewrite the docs from finished runs")
    return p.parse_args()


def main() -> None:
    args = parse_args()
    args.command = " ".join(["python benchmarks/modes.py", *sys.argv[1:]])
    summary = Path(args.root) / "modes.json"
    if args.reuse:
        rows, elapsed, args.command = reused(args.root, "modes.json", args.command)
    else:
        tasks = [(part, v, s, args) for part in args.parts for s in args.seeds
                 for v in (args.variants or DEFAULT_VARIANTS[part])]
        start = time.perf_counter()
        rows = run_tasks(run_one, tasks, args.jobs)
        elapsed = time.perf_counter() - start
        record_command(summary, args.parts, {"command": args.command, "seconds": elapsed})
    plot(rows, args.parts, Path(args.plot))
    write_section(Path(args.doc), "modes", section(rows, args, elapsed))
    print(f"modes: {len(rows)} runs in {elapsed / 60:.1f} min; wrote {args.doc} and {args.plot}")


if __name__ == "__main__":
    main()
