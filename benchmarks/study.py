"""The loss study: the DCGAN on Fashion-MNIST and on stacked MNIST trained with every loss,
several seeds each, evaluated after every epoch and at the end; writes the "Loss study"
section of docs/results.md and the plot docs/loss-study.png.

    make study                      # = nice -n 10 python benchmarks/study.py
    python benchmarks/study.py --losses non-saturating hinge --seeds 0 --epochs 1 \\
        --limit 1280 --doc /tmp/study.md --plot /tmp/study.png      # a smoke run

Each run: `ganforge train --preset P --loss L --seed S --epochs E --limit N --d-steps none`
(the loss's own D steps: 5 for wasserstein and wasserstein-gp; wasserstein-gp with
`--d-norm layer`, as its penalty requires), evaluated every epoch on --eval-samples samples
and at the end like `ganforge evaluate RUN --seed 0` (10,000 samples; 26,000 for stacked
MNIST). Runs go to --jobs worker processes with one torch thread each.
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
from grid import cell, commands, finished_rows, group_runs, record_command, run_tasks

PRESETS = {"fashion-mnist": "dcgan-fashion", "stacked-mnist": "dcgan-stacked"}
# (epochs, training images) per data set. On stacked MNIST the DCGAN's images are told
# apart by the MNIST evaluator only after about 2,000 generator steps (before that their
# grey backgrounds put every channel in one class: 1 mode of 1,000), so it gets 3 epochs of
# the whole training split.
LENGTH = {"fashion-mnist": (4, 12_800), "stacked-mnist": (3, 60_000)}


def length(dataset: str, args: argparse.Namespace) -> tuple[int, int]:
    """(epochs, images) of the runs on `dataset`: --epochs / --limit, else LENGTH."""
    epochs, limit = LENGTH[dataset]
    return args.epochs or epochs, args.limit or limit
LOSSES = ("non-saturating", "minimax", "least-squares", "wasserstein", "wasserstein-gp", "hinge")
DEFAULT = "non-saturating"


def overrides_for(dataset: str, loss: str, seed: int, args: argparse.Namespace
                  ) -> dict[str, str]:
    """The command-line settings of one run of the grid."""
    from ganforge.losses import get_loss

    epochs, limit = length(dataset, args)
    out = {"loss": loss, "seed": str(seed), "epochs": str(epochs), "limit": str(limit),
           "d_steps": "none", "eval_every": "0", "keep": "1", "log_every": "50",
           "threads": str(args.threads)}
    if get_loss(loss).gp_weight > 0:
        out["d_norm"] = "layer"  # a per-image gradient penalty needs a critic without BatchNorm
    return out


def run_one(dataset: str, loss: str, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    """Train one run with evaluation every epoch, then evaluate it; return its figures."""
    import torch

    from ganforge.config import resolve_config
    from ganforge.metrics.evaluate import evaluate_run
    from ganforge.metrics.observer import EvalObserver
    from ganforge.training.run import train

    torch.set_num_threads(args.threads)
    out = Path(args.root) / dataset / f"{loss}-s{seed}"
    config = resolve_config(PRESETS[dataset], overrides=overrides_for(dataset, loss, seed, args))
    observer = EvalObserver(dataset, 1, args.eval_samples, seed=seed)
    start = time.perf_counter()
    train(config, out, force=True, progress=False, observers=[observer])
    seconds = time.perf_counter() - start
    result = evaluate_run(out, None, seed=0)
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    curve = [{k: r.get(k) for k in ("epoch", "fd", "modes", "kl_uniform")}
             for r in records if r.get("kind") == "eval"]
    row = {"dataset": dataset, "loss": loss, "seed": seed, "train_seconds": seconds,
           "step": result["step"], "n": result["n"], "metrics": result["metrics"],
           "real": result["real"], "curve": curve}
    (out / "study.json").write_text(json.dumps(row, indent=1) + "\n")
    print(f"{dataset} {loss} seed {seed}: {seconds / 60:.1f} min, "
          f"{json.dumps({k: v for k, v in result['metrics'].items() if k != 'covered'})}",
          flush=True)
    return row


def run_grid(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Every (data set, loss, seed) run, spread over --jobs processes."""
    tasks = [(d, loss, s, args) for d in args.datasets for s in args.seeds for loss in args.losses]
    return run_tasks(run_one, tasks, args.jobs)


def _by_loss(rows: list[dict], dataset: str) -> dict[str, list[dict]]:
    return group_runs(rows, "dataset", dataset, "loss")


FASHION_COLUMNS = (("fd", "FD", "{:.2f}"), ("classifier_score", "classifier score", "{:.2f}"),
                   ("coverage", "coverage (of 10)", "{:.0f}"), ("kl_uniform", "KL", "{:.3f}"),
                   ("precision", "precision", "{:.3f}"), ("recall", "recall", "{:.3f}"))
STACKED_COLUMNS = (("modes", "modes (of 1000)", "{:.0f}"), ("kl_uniform", "KL", "{:.2f}"))


def table(rows: list[dict], dataset: str, columns: tuple) -> list[str]:
    """Markdown table: one line per loss, then the real-data floor."""
    head = ["loss", "G steps", *[c[1] for c in columns], "train min"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    grouped = _by_loss(rows, dataset)
    for loss, runs in grouped.items():
        cells = [cell([r["metrics"][k] for r in runs], f) for k, _, f in columns]
        minutes = cell([r["train_seconds"] / 60 for r in runs], "{:.1f}")
        lines.append(f"| `{loss}` | {runs[0]['step']} | " + " | ".join(cells)
                     + f" | {minutes} |")
    real = next(iter(grouped.values()))[0]["real"]
    lines.append("| real data (floor) | - | "
                 + " | ".join(f.format(real[k]) for k, _, f in columns) + " | - |")
    return lines


def findings(rows: list[dict], dataset: str, key: str, lower_is_better: bool) -> list[str]:
    """One plain sentence per loss: better or worse than the default, in how many seeds."""
    grouped = _by_loss(rows, dataset)
    if DEFAULT not in grouped:
        return []
    base = [r["metrics"][key] for r in grouped[DEFAULT]]
    mean_base = sum(base) / len(base)
    out = []
    for loss, runs in grouped.items():
        if loss == DEFAULT:
            continue
        values = [r["metrics"][key] for r in runs]
        mean = sum(values) / len(values)
        verdict = ("the same as" if mean == mean_base else
                   "better than" if (mean < mean_base) == lower_is_better else "worse than")
        wins = sum(((v < mean_base) == lower_is_better) and v != mean_base for v in values)
        out.append(f"- {dataset}, `{loss}`: {key} {mean:.3g} against {mean_base:.3g} for "
                   f"`{DEFAULT}`: on average {verdict} the default; better than the "
                   f"default's mean in {wins} of {len(values)} seeds.")
    return out


def plot(rows: list[dict], datasets: list[str], path: Path, n: int) -> None:
    """FD over epochs (Fashion-MNIST) and modes over epochs (stacked MNIST), every loss."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from ganforge.fileio import atomic_write_bytes

    panels = [(d, "fd" if d == "fashion-mnist" else "modes") for d in datasets]
    fig = Figure(figsize=(5.5 * len(panels), 4.0), dpi=100, layout="constrained")
    for i, (dataset, key) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), i + 1)
        for j, (loss, runs) in enumerate(_by_loss(rows, dataset).items()):
            for k, run in enumerate(runs):
                points = [(c["epoch"], c[key]) for c in run["curve"] if c.get(key) is not None]
                ax.plot(*zip(*points, strict=True), color=f"C{j}", marker="o", markersize=3,
                        alpha=0.9 if k == 0 else 0.45, label=loss if k == 0 else None)
        ax.set_title(f"{dataset}: {'FD' if key == 'fd' else 'modes hit'} per epoch "
                     f"({n} samples)")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    atomic_write_bytes(path, buffer.getvalue())


def runs_length(args: argparse.Namespace) -> str:
    """The length of the runs, in words, per data set."""
    parts = []
    for dataset in args.datasets:
        epochs, limit = length(dataset, args)
        parts.append(f"{epochs} epochs of the first {limit:,} training images on {dataset}")
    return " and ".join(parts)


def section(rows: list[dict], args: argparse.Namespace, elapsed: float) -> str:
    """The markdown of the "Loss study" section."""
    seeds = ", ".join(map(str, args.seeds))
    text = [
        "## Loss study\n",
        "Written by `benchmarks/study.py` (`make study`); do not edit by hand. Command: "
        f"`{args.command}`. Machine: {platform.machine()}, {os.cpu_count()} CPU cores "
        f"(shared), {args.jobs} runs at a time with {args.threads} torch thread(s) each; "
        f"whole study {elapsed / 60:.0f} min.\n",
        f"Every run: the preset's DCGAN, Adam and label smoothing, {runs_length(args)}, "
        f"seeds {seeds}; `--d-steps none` (the loss's own "
        "D steps: 5 for wasserstein and wasserstein-gp, else 1, so at equal epochs these two "
        "make a fifth of the G updates: column G steps); wasserstein clips D's "
        "weights to 0.01; wasserstein-gp has gradient penalty 10 and `--d-norm layer` (a "
        "per-image penalty needs a critic without BatchNorm); every other loss keeps the "
        "classic BatchNorm critic. Final figures: `ganforge evaluate RUN --seed 0` (10,000 "
        "samples; 26,000 for stacked MNIST). A cell is the mean of the seeds, each seed's "
        "value in brackets; train min is training wall time (with the per-epoch evaluations, "
        "sharing the machine with the other runs).\n",
    ]
    if "fashion-mnist" in args.datasets:
        text += ["### Fashion-MNIST\n", *table(rows, "fashion-mnist", FASHION_COLUMNS), ""]
    if "stacked-mnist" in args.datasets:
        text += ["### Stacked MNIST\n", *table(rows, "stacked-mnist", STACKED_COLUMNS), ""]
    text += [f"![FD and modes over epochs]({os.path.relpath(args.plot, Path(args.doc).parent)})"
             f"\n\nPer-epoch points use {args.eval_samples} samples (FD is biased upwards at "
             "small n: compare curves with each other, not with the table).\n",
             "### What the data show\n",
             *findings(rows, "fashion-mnist", "fd", lower_is_better=True),
             *findings(rows, "stacked-mnist", "modes", lower_is_better=False)]
    return "\n".join(text) + "\n"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", nargs="+", default=list(PRESETS), choices=list(PRESETS))
    p.add_argument("--losses", nargs="+", default=list(LOSSES), choices=list(LOSSES))
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    p.add_argument("--epochs", type=int, default=0, help="epochs (default: per data set)")
    p.add_argument("--limit", type=int, default=0,
                   help="training images per epoch (default: per data set)")
    p.add_argument("--eval-samples", type=int, default=2000, help="samples per epoch's eval")
    p.add_argument("--jobs", type=int, default=2, help="runs at a time")
    p.add_argument("--threads", type=int, default=1, help="torch threads per run")
    p.add_argument("--root", default="runs/study", help="folder for the runs")
    p.add_argument("--doc", default="docs/results.md")
    p.add_argument("--plot", default="docs/loss-study.png")
    p.add_argument("--reuse", action="store_true", help="rewrite the docs from finished runs")
    return p.parse_args()


def main() -> None:
    import sys

    args = parse_args()
    args.command = " ".join(["python benchmarks/study.py", *sys.argv[1:]])
    summary = Path(args.root) / "study.json"
    if args.reuse:
        rows = finished_rows(args.root, "study.json")
        ran = json.loads(summary.read_text()) if summary.exists() else {}
        # the commands and times of the studies that trained the runs (one per data set
        # when the halves ran apart)
        args.datasets = [d for d in PRESETS if d in ran] or args.datasets  # trained so far
        done = commands(ran)
        elapsed = sum(e["seconds"] for e in done) if done else float("nan")
        args.command = "` and `".join(e["command"] for e in done) or args.command
    else:
        start = time.perf_counter()
        rows = run_grid(args)
        elapsed = time.perf_counter() - start
        record_command(summary, args.datasets, {"command": args.command, "seconds": elapsed})
    plot(rows, args.datasets, Path(args.plot), args.eval_samples)
    write_section(Path(args.doc), "loss-study", section(rows, args, elapsed))
    print(f"study: {len(rows)} runs in {elapsed / 60:.1f} min; wrote {args.doc} and {args.plot}")


if __name__ == "__main__":
    main()
