"""The best presets against the SPEC's DCGAN under one wall-clock budget: each preset trains
for --minutes (default 10) per seed, its sampling weights are kept every --every minutes and
evaluated afterwards (FD over wall time), and the final checkpoint is evaluated like
`ganforge evaluate RUN --seed 0` (10,000 samples against the test split). Writes the
"Best presets" section of docs/results.md and the plot docs/best-presets.png.

    make best                       # = nice -n 10 python benchmarks/best.py
    python benchmarks/best.py --datasets fashion-mnist            # one data set again
    python benchmarks/best.py --datasets fashion-mnist --seeds 0 --minutes 0.5 --every 0.25 \\
        --root /tmp/best --doc /tmp/best.md --plot /tmp/best.png     # a smoke run

Runs go to --jobs worker processes with --threads torch threads each; every preset of a data
set gets the same budget on the same share of the machine. The snapshots are taken between
steps and their evaluation happens after training, outside the budget. ROOT/best.json records,
per data set, the command that trained its runs; the section always shows every data set
trained so far, so one data set can be run again alone.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from doc_sections import write_section
from grid import cell, finished_rows, group_runs, record_command, run_tasks

from ganforge.training.observers import Observer

PAIRS = {"mnist": ("dcgan-mnist", "best-mnist"),
         "fashion-mnist": ("dcgan-fashion", "best-fashion")}
SETTINGS = ("seeds", "minutes", "every", "curve_samples", "jobs", "threads")  # recorded
COLUMNS = (("fd", "FD", "{:.2f}"), ("coverage", "coverage (of 10)", "{:.0f}"),
           ("precision", "precision", "{:.3f}"), ("recall", "recall", "{:.3f}"))


class Snapshots(Observer):
    """Keeps a copy of the sampling generator's weights (the EMA copy when there is one) each
    time another `every` minutes of training have passed."""

    def __init__(self, every: float):
        self.every = every
        self.kept: list[tuple[float, int, dict]] = []  # (minutes, G step, state dict)

    def on_records(self, loop, records) -> None:
        minutes = (time.monotonic() - loop.started) / 60
        if minutes >= self.every * (len(self.kept) + 1):
            state = {k: v.detach().clone() for k, v in loop.trainer.sampler.state_dict().items()}
            self.kept.append((minutes, loop.state.step, state))


def curve(config, kept: list, samples: int) -> list[dict[str, float]]:
    """FD of each snapshot, on `samples` samples (seed 0)."""
    from ganforge.metrics.evaluate import evaluate_images, sample_images
    from ganforge.models import build_models

    generator, _ = build_models(config.model)
    points = []
    for minutes, step, state in kept:
        generator.load_state_dict(state)
        images = sample_images(generator, config.model.latent_dim, config.train.noise, samples)
        fd = evaluate_images(images, config.data.dataset, seed=0)["metrics"]["fd"]
        points.append({"minutes": round(minutes, 3), "step": step, "fd": fd})
    return points


def run_one(dataset: str, preset: str, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    """Train one preset for the budget, then evaluate its snapshots and its final weights."""
    import torch

    from ganforge.config import resolve_config
    from ganforge.metrics.evaluate import evaluate_run
    from ganforge.training.run import train

    torch.set_num_threads(args.threads)
    out = Path(args.root) / dataset / f"{preset}-s{seed}"
    overrides = {"seed": str(seed), "max_minutes": str(args.minutes), "epochs": "1000",
                 "eval_every": "0", "keep": "1", "threads": str(args.threads)}
    config = resolve_config(preset, overrides=overrides)
    snapshots = Snapshots(args.every)
    start = time.perf_counter()
    train(config, out, force=True, progress=False, observers=[snapshots])
    seconds = time.perf_counter() - start
    result = evaluate_run(out, None, seed=0)
    last = {"minutes": round(seconds / 60, 3), "step": result["step"],
            "fd": result["metrics"]["fd"]}  # the final weights
    row = {"dataset": dataset, "preset": preset, "seed": seed, "step": result["step"],
           "train_seconds": seconds, "metrics": result["metrics"], "real": result["real"],
           "curve": [*curve(config, snapshots.kept, args.curve_samples), last]}
    (out / "best.json").write_text(json.dumps(row, indent=1) + "\n")
    print(f"{dataset} {preset} seed {seed}: {result['step']} steps, FD "
          f"{result['metrics']['fd']:.2f}", flush=True)
    return row


def _by_preset(rows: list[dict], dataset: str) -> dict[str, list[dict]]:
    return group_runs(rows, "dataset", dataset, "preset", PAIRS[dataset])


def mean_fd(runs: list[dict]) -> float:
    return sum(r["metrics"]["fd"] for r in runs) / len(runs)


def table(rows: list[dict], dataset: str) -> list[str]:
    """One line per preset and seed, the mean of the seeds, the real-data floor, and the FD
    ratio best / dcgan."""
    head = ["preset", "seed", "G steps", *[c[1] for c in COLUMNS]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    grouped = _by_preset(rows, dataset)
    for preset, runs in grouped.items():
        for run in runs:
            cells = [f.format(run["metrics"][k]) for k, _, f in COLUMNS]
            lines.append(f"| `{preset}` | {run['seed']} | {run['step']} | "
                         + " | ".join(cells) + " |")
        if len(runs) > 1:
            cells = [cell([r["metrics"][k] for r in runs], f).split(" (")[0]
                     for k, _, f in COLUMNS]
            steps = cell([r["step"] for r in runs], "{:.0f}").split(" (")[0]
            lines.append(f"| `{preset}` | mean | {steps} | " + " | ".join(cells) + " |")
    real = next(iter(grouped.values()))[0]["real"]
    lines.append("| real data (floor) | - | - | "
                 + " | ".join(f.format(real[k]) for k, _, f in COLUMNS) + " |")
    if len(grouped) == 2:
        base, best = (mean_fd(grouped[p]) for p in PAIRS[dataset])
        lines += ["", f"FD of `{PAIRS[dataset][1]}` / FD of `{PAIRS[dataset][0]}`: "
                  f"{best / base:.3f} (means over the seeds; the bar is at most 0.25)."]
    return lines


def plot(rows: list[dict], datasets: list[str], path: Path) -> None:
    """FD over minutes of training, every preset and seed, one panel per data set."""
    from matplotlib.figure import Figure

    from ganforge.fileio import atomic_write_bytes

    fig = Figure(figsize=(5.5 * len(datasets), 4.0), dpi=100, layout="constrained")
    for i, dataset in enumerate(datasets):
        ax = fig.add_subplot(1, len(datasets), i + 1)
        for j, (preset, runs) in enumerate(_by_preset(rows, dataset).items()):
            for k, run in enumerate(runs):
                xs = [p["minutes"] for p in run["curve"]]
                ax.plot(xs, [p["fd"] for p in run["curve"]], color=f"C{j}", marker="o",
                        markersize=3, alpha=0.9 if k == 0 else 0.5,
                        label=f"{preset} (seed {run['seed']})")
        ax.set_yscale("log")
        ax.set_title(f"{dataset}: FD over training time")
        ax.set_xlabel("minutes of training")
        ax.set_ylabel("FD (log scale)")
        ax.grid(True, alpha=0.3, which="both")
        ax.legend(fontsize="small")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    atomic_write_bytes(path, buffer.getvalue())


def section(rows: list[dict], ran: dict[str, dict], plot_path: str, doc: str) -> str:
    """The markdown of the "Best presets" section; `ran` holds, per data set, the command
    that trained its runs, how long it took and its settings."""
    text = [
        "## Best presets against the classic DCGAN, 10 minutes each\n",
        "Written by `benchmarks/best.py` (`make best`); do not edit by hand. Machine: "
        f"{platform.machine()}, {os.cpu_count()} CPU cores. Final figures: `ganforge "
        "evaluate RUN --seed 0` (10,000 samples against the test split).\n",
    ]
    for dataset, record in ran.items():
        settings = record["settings"]
        text += [
            f"### {dataset}\n",
            f"Command: `{record['command']}` ({record['seconds'] / 60:.0f} min for "
            f"{' and '.join(record['datasets'])}): each preset trains for "
            f"{settings['minutes']:g} minutes of wall time (`--max-minutes "
            f"{settings['minutes']:g}`), seeds {', '.join(map(str, settings['seeds']))}, "
            f"{settings['jobs']} runs at a time with {settings['threads']} torch thread(s) "
            f"each. Curve points: the sampling weights every {settings['every']:g} min, "
            f"{settings['curve_samples']:,} samples each; the last point is the final weights."
            "\n",
            *table(rows, dataset), ""]
    text.append(f"![FD over training time]({os.path.relpath(plot_path, Path(doc).parent)})\n")
    return "\n".join(text) + "\n"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", nargs="+", default=list(PAIRS), choices=list(PAIRS))
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    p.add_argument("--minutes", type=float, default=10.0, help="training budget per run")
    p.add_argument("--every", type=float, default=1.0, help="minutes between curve points")
    p.add_argument("--curve-samples", type=int, default=10_000, help="samples per curve point")
    p.add_argument("--jobs", type=int, default=2, help="runs at a time")
    p.add_argument("--threads", type=int, default=1, help="torch threads per run")
    p.add_argument("--root", default="runs/best", help="folder for the runs")
    p.add_argument("--doc", default="docs/results.md")
    p.add_argument("--plot", default="docs/best-presets.png")
    p.add_argument("--reuse", action="store_true",
                   help="train nothing; rewrite the docs from the runs in --root")
    return p.parse_args()


def main() -> None:
    import sys

    args = parse_args()
    args.command = " ".join(["python benchmarks/best.py", *sys.argv[1:]])
    summary = Path(args.root) / "best.json"
    if args.reuse:
        ran = json.loads(summary.read_text()) if summary.exists() else {}
    else:
        start = time.perf_counter()
        tasks = [(d, p, s, args) for d in args.datasets for s in args.seeds for p in PAIRS[d]]
        run_tasks(run_one, tasks, args.jobs)
        ran = record_command(summary, args.datasets, {
            "command": args.command, "seconds": time.perf_counter() - start,
            "datasets": args.datasets, "settings": {k: getattr(args, k) for k in SETTINGS}})
    ran = {d: ran[d] for d in PAIRS if d in ran}  # every data set trained so far, in order
    rows = [r for r in finished_rows(args.root, "best.json")
            if r["dataset"] in ran and r["seed"] in ran[r["dataset"]]["settings"]["seeds"]]
    plot(rows, list(ran), Path(args.plot))
    write_section(Path(args.doc), "best-presets", section(rows, ran, args.plot, args.doc))
    print(f"best: {len(rows)} runs of {', '.join(ran)}; wrote {args.doc} and {args.plot}")


if __name__ == "__main__":
    main()
