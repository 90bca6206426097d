"""The text-to-image study: the SPEC's objective (preset t2i-spec) against each option of
docs/text-to-image.md ("Options") and their combination, several seeds each, on one or more
captioned data sets; writes the "Text-to-image study" section of docs/results.md and the
plot docs/t2i-study.png.

    make t2i-study                  # = nice -n 10 python benchmarks/t2i_study.py
    python benchmarks/t2i_study.py --variants spec hard --seeds 0 --epochs 1 --limit 640 \\
        --eval-n 500 --set text_encoder=hashing --jobs 1 --root /tmp/t2i-study \\
        --doc /tmp/t2i-study.md --plot /tmp/t2i-study.png            # a smoke run

Each run is `ganforge train --preset t2i-spec --dataset D --seed S <the variant's settings>`
(with --epochs, --limit, --max-minutes and --set when given), evaluated at the end like
`ganforge evaluate RUN --seed 0`: images from the held-out captions (one per test image),
class alignment, each attribute's alignment (over the first 1,000 captions), FD and recall
against the test split. Data sets: any captioned set that `ganforge evaluate` scores
(fashion-mnist-captions, mnist-captions; synthetic-flowers once it has an evaluator).
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

PRESET = "t2i-spec"
BASELINE = "spec"
# Variant name -> the settings it adds to the preset (the command line's --name value).
OPTIONS: dict[str, dict[str, str]] = {
    "hard": {"hard_mismatch": "0.5"},
    "hinge": {"loss": "hinge"},
    "ma-gp": {"loss": "hinge", "ma_gp_weight": "2"},  # DF-GAN's penalty, with its loss
    "projection": {"text_head": "projection"},
    "ca": {"ca_weight": "2"},  # StackGAN-Pytorch's KL weight
    "diversity": {"diversity_weight": "1"},  # MSGAN's weight
    "augment": {"augment": "translation,cutout"},
    "attribute": {"attribute_weight": "1"},  # D's attribute head
}
# "all": every option of the issue at once (not hinge alone, nor the attribute head);
# "combined": the presets' settings (t2i-fashion, t2i-synthetic-flowers), or the options
# named by --combine.
ALL = ("hard", "ma-gp", "projection", "ca", "diversity", "augment")
COMBINED = {"attribute_weight": "1", "diversity_weight": "0.5", "text_head": "projection"}
COLUMNS = (("class", "class", "{:.3f}"), ("all", "attributes (all)", "{:.3f}"),
           ("fd", "FD", "{:.2f}"), ("recall", "recall", "{:.3f}"))


def merged(names: list[str] | tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in names:
        out.update(OPTIONS[name])
    return out


def variants(combine: list[str] | None) -> dict[str, dict[str, str]]:
    """The baseline, each option, "all" and "combined" (the settings of `combine`, or the
    presets' when None)."""
    return {BASELINE: {}, **OPTIONS, "all": merged(ALL),
            "combined": COMBINED if combine is None else merged(combine)}


def overrides_for(dataset: str, variant: str, seed: int, args: argparse.Namespace
                  ) -> dict[str, str]:
    out = {"dataset": dataset, **variants(args.combine)[variant], "seed": str(seed),
           "eval_every": "0", "keep": "1", "threads": str(args.threads)}
    for flag, name in ((args.epochs, "epochs"), (args.limit, "limit"),
                       (args.max_minutes, "max_minutes")):
        if flag:
            out[name] = str(flag)
    out.update(dict(s.split("=", 1) for s in args.set))
    return out


def figures(result: dict[str, Any]) -> dict[str, Any]:
    """The study's figures of one `evaluate` result: class and attribute alignment, FD,
    recall (and every other metric of the base data set under `metrics`)."""
    a = result["alignment"]
    attributes = {k: v for k, v in a.get("attributes", {}).items()
                  if not k.endswith(("_n", "_chance")) and k != "chance"}
    return {"class": a["class"], **attributes, "fd": result["metrics"]["fd"],
            "recall": result["metrics"].get("recall")}


def run_one(dataset: str, variant: str, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    """Train one run of the grid, evaluate its last checkpoint, return its figures."""
    import torch

    from ganforge.config import resolve_config
    from ganforge.metrics.evaluate import evaluate_run
    from ganforge.training.run import train

    torch.set_num_threads(args.threads)
    out = Path(args.root) / dataset / f"{variant}-s{seed}"
    overrides = overrides_for(dataset, variant, seed, args)
    start = time.perf_counter()
    train(resolve_config(PRESET, overrides=overrides), out, force=True, progress=False)
    seconds = time.perf_counter() - start
    result = evaluate_run(out, args.eval_n, seed=0)
    row = {"dataset": dataset, "variant": variant, "seed": seed, "train_seconds": seconds,
           "settings": variants(args.combine)[variant], "step": result["step"],
           "n": result["n"], "figures": figures(result), "metrics": result["metrics"],
           "real": result["real"], "alignment": result["alignment"]}
    (out / "t2i_study.json").write_text(json.dumps(row, indent=1) + "\n")
    print(f"{dataset} {variant} seed {seed}: {seconds / 60:.1f} min, "
          + json.dumps(row["figures"]), flush=True)
    return row


def grouped(rows: list[dict], dataset: str) -> dict[str, list[dict]]:
    return group_runs(rows, "dataset", dataset, "variant")


def columns_of(groups: dict[str, list[dict]]) -> list[tuple[str, str, str]]:
    """Class, each attribute the data set's captions state, all attributes, FD, recall."""
    first = next(iter(groups.values()))[0]["figures"]
    named = set(first) - {c[0] for c in COLUMNS}
    attributes = [(k, k, "{:.3f}") for k in first if k in named and not k.endswith("_chance")]
    return [COLUMNS[0], *attributes, *COLUMNS[1:]]


def _value(row: dict, key: str) -> float:
    value = row["figures"].get(key)
    return float("nan") if value is None else value


def table(rows: list[dict], dataset: str) -> list[str]:
    """One line per variant (mean of the seeds, each seed in brackets)."""
    groups = grouped(rows, dataset)
    if not groups:
        return []
    columns = columns_of(groups)
    head = ["variant", "settings", "G steps", *[c[1] for c in columns], "train min"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for variant, runs in groups.items():
        flags = " ".join(f"--{k.replace('_', '-')} {v}" for k, v in runs[0]["settings"].items())
        cells = [cell([_value(r, k) for r in runs], f) for k, _, f in columns]
        minutes = cell([r["train_seconds"] / 60 for r in runs], "{:.1f}")
        lines.append(f"| {variant} | `{flags or '(preset)'}` | {runs[0]['step']} | "
                     + " | ".join(cells) + f" | {minutes} |")
    real = next(iter(groups.values()))[0]["real"]
    lines.append("| real data (floor) | | | " + " | ".join(
        f.format(real[k]) if real.get(k) is not None else "-" for k, _, f in columns)
        + " | |")
    return lines


def findings(rows: list[dict], dataset: str) -> list[str]:
    """Per variant: its mean against the baseline's, for each figure, and in how many seeds
    it beat the baseline's mean."""
    groups = grouped(rows, dataset)
    if BASELINE not in groups:
        return []
    out = []
    for key, _, fmt in columns_of(groups):
        lower = key == "fd"
        base = [_value(r, key) for r in groups[BASELINE]]
        mean_base = sum(base) / len(base)
        parts = []
        for variant, runs in groups.items():
            if variant == BASELINE:
                continue
            values = [_value(r, key) for r in runs]
            wins = sum((v < mean_base) if lower else (v > mean_base) for v in values)
            parts.append(f"{variant} {fmt.format(sum(values) / len(values))} "
                         f"({wins}/{len(values)} seeds better)")
        out.append(f"- {dataset}, {key} ({'lower' if lower else 'higher'} is better): "
                   f"{BASELINE} {fmt.format(mean_base)}; " + ", ".join(parts) + ".")
    return out


def plot(rows: list[dict], datasets: list[str], path: Path) -> None:
    """Per data set: attribute alignment and recall of each variant, one point per seed."""
    from matplotlib.figure import Figure

    from ganforge.fileio import atomic_write_bytes

    fig = Figure(figsize=(11, 3.6 * len(datasets)), dpi=100, layout="constrained")
    for i, dataset in enumerate(datasets):
        groups = grouped(rows, dataset)
        for j, key in enumerate(("all", "recall")):
            ax = fig.add_subplot(len(datasets), 2, 2 * i + j + 1)
            for k, runs in enumerate(groups.values()):
                ax.scatter([k] * len(runs), [_value(r, key) for r in runs], color=f"C{k}")
            ax.set_xticks(range(len(groups)), list(groups), rotation=30)
            ax.set_title(f"{dataset}: {'attribute alignment' if key == 'all' else key} "
                         "(each seed)")
            ax.grid(True, alpha=0.3)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    atomic_write_bytes(path, buffer.getvalue())


def section(rows: list[dict], args: argparse.Namespace, elapsed: float) -> str:
    length = ", ".join(f"{flag} {value}" for flag, value in (
        ("--epochs", args.epochs), ("--limit", args.limit), ("--max-minutes", args.max_minutes))
        if value) or "the preset's 5 epochs of the whole training split"
    title = "Text-to-image study" + ("" if args.section == "t2i-study"
                                     else f" ({', '.join(args.datasets)})")
    text = [f"## {title}\n",
            "Written by `benchmarks/t2i_study.py` (`make t2i-study`); do not edit by hand. "
            f"Command: `{args.command}`. Machine: {platform.machine()}, {os.cpu_count()} CPU "
            f"cores (shared), {args.jobs} runs at a time with {args.threads} torch thread(s) "
            f"each; {elapsed / 60:.0f} min.\n",
            f"Every run: preset `{PRESET}` (the plain objective) with the variant's settings, "
            f"{length}; final figures from `ganforge evaluate RUN --seed 0` (held-out "
            "captions, one image each; alignment over the first 1,000, or --eval-n when fewer). "
            f"`all` = the settings of {', '.join(ALL)}; `combined` = "
            + ("the presets' settings" if args.combine is None
               else f"the settings of {', '.join(args.combine)}")
            + ". A cell is the mean of the seeds, each seed's value in brackets.\n"]
    for dataset in args.datasets:
        text += [f"### {dataset}\n", *table(rows, dataset), ""]
    text += [f"![attribute alignment and recall per variant]"
             f"({os.path.relpath(args.plot, Path(args.doc).parent)})\n",
             "### What the data show\n",
             *[line for d in args.datasets for line in findings(rows, d)]]
    return "\n".join(text) + "\n"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", nargs="+", default=["fashion-mnist-captions"])
    names = [BASELINE, *OPTIONS, "all", "combined"]
    p.add_argument("--variants", nargs="+", default=names, choices=names)
    p.add_argument("--combine", nargs="+", default=None, choices=list(OPTIONS),
                   help="options joined in the 'combined' variant (default: the presets' "
                        "settings)")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    p.add_argument("--epochs", type=int, default=0, help="epochs (default: the preset's)")
    p.add_argument("--limit", type=int, default=0, help="training images (default: all)")
    p.add_argument("--max-minutes", type=float, default=0, help="training budget per run")
    p.add_argument("--eval-n", type=int, default=None,
                   help="held-out captions to evaluate on (default: all, 10,000)")
    p.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE",
                   help="more settings for every run, e.g. text_encoder=hashing")
    p.add_argument("--jobs", type=int, default=2, help="runs at a time")
    p.add_argument("--threads", type=int, default=1, help="torch threads per run")
    p.add_argument("--root", default="runs/t2i-study", help="folder for the runs")
    p.add_argument("--doc", default="docs/results.md")
    p.add_argument("--plot", default="docs/t2i-study.png")
    p.add_argument("--section", default="t2i-study",
                   help="the section of --doc to write (a study of other data sets can keep "
                        "its own beside the first)")
    p.add_argument("--reuse", action="store_true", help="rewrite the docs from finished runs")
    args = p.parse_args()
    bad = [s for s in args.set if "=" not in s]
    if bad:
        p.error(f"--set takes NAME=VALUE, got {bad[0]!r}")
    return args


def check(args: argparse.Namespace) -> None:
    """Fail before training when a data set cannot be evaluated or a setting is wrong."""
    from ganforge.config import resolve_config
    from ganforge.errors import GanforgeError
    from ganforge.metrics.alignment import base_dataset

    try:
        for dataset in args.datasets:
            base_dataset(dataset)
            for variant in args.variants:
                resolve_config(PRESET, overrides=overrides_for(dataset, variant, 0, args))
    except GanforgeError as exc:
        sys.exit(f"t2i_study: {exc}")


def main() -> None:
    args = parse_args()
    args.command = " ".join(["python benchmarks/t2i_study.py", *sys.argv[1:]])
    summary = Path(args.root) / "t2i_study.json"
    if args.reuse:
        rows, elapsed, args.command = reused(args.root, "t2i_study.json", args.command)
    else:
        check(args)
        tasks = [(d, v, s, args) for d in args.datasets for s in args.seeds for v in args.variants]
        start = time.perf_counter()
        rows = run_tasks(run_one, tasks, args.jobs)
        elapsed = time.perf_counter() - start
        record_command(summary, args.datasets, {"command": args.command, "seconds": elapsed})
    plot(rows, args.datasets, Path(args.plot))
    write_section(Path(args.doc), args.section, section(rows, args, elapsed))
    print(f"t2i study: {len(rows)} runs in {elapsed / 60:.1f} min; wrote {args.doc} and "
          f"{args.plot}")


if __name__ == "__main__":
    main()
