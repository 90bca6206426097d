"""Train the four presets (and DCGAN on stacked MNIST) for a stated number of epochs, evaluate
each with 10,000 samples (26,000 for stacked MNIST), and write the "presets" section of
docs/results.md (other sections stay as they are).

    nice -n 10 python benchmarks/results.py            # `make results`
    python benchmarks/results.py --reuse               # re-evaluate finished runs only

On busy shared cores, train the presets in parallel single-thread processes, then evaluate:

    nice -n 10 python benchmarks/results.py --threads 1 --train-only --only mlp-mnist ... &
    ...
    nice -n 10 python benchmarks/results.py --threads 1 --reuse

Every number in the written file comes from this run of the script; the file states the
commands, epochs, sample counts and the real-data floors next to each figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import torch
from doc_sections import write_section

from ganforge.config import resolve_config
from ganforge.metrics.evaluate import evaluate_run
from ganforge.training.run import train

EPOCHS = {"mlp-mnist": 5, "mlp-fashion": 5, "dcgan-mnist": 3, "dcgan-fashion": 3,
          "dcgan-stacked": 3}
PUBLISHED = (  # PacGAN (Lin et al., 2018), tables 2 and 3: stacked MNIST, 26,000 samples
    ("DCGAN (as published)", "99", "3.40"),
    ("VEEGAN (as published)", "150", "2.95"),
    ("PacDCGAN2 (as published)", "1000", "0.06"),
)


def run_preset(preset: str, epochs: int, root: Path, reuse: bool, threads: int = 0
               ) -> tuple[Path, float]:
    """Train `preset` for `epochs` into root/preset (unless reusing a finished run); returns
    the run and its training time in seconds (kept in the run's train_seconds.json)."""
    out = root / preset
    timing = out / "train_seconds.json"
    if reuse:  # the newest checkpoint, also of a run still training
        seconds = json.loads(timing.read_text())["seconds"] if timing.exists() else "nan"
        return out, float(seconds)
    config = resolve_config(preset, overrides={"epochs": str(epochs), "eval_every": "0",
                                               "threads": str(threads)})
    start = time.perf_counter()
    train(config, out, force=True, progress=False)
    seconds = time.perf_counter() - start
    timing.write_text(json.dumps({"seconds": seconds, "epochs": epochs,
                                  "threads": torch.get_num_threads()}) + "\n")
    return out, seconds


def _pair(gen: dict, real: dict, key: str, fmt: str) -> str:
    return f"{fmt.format(gen[key])} ({fmt.format(real[key])})"


def checkpoint_epoch(result: dict[str, Any]) -> int:
    """The epoch the evaluated checkpoint was written at."""
    return int(json.loads(Path(result["checkpoint"]).read_text())["epoch"])


def class_row(preset: str, result: dict[str, Any], seconds: float) -> str:
    g, r = result["metrics"], result["real"]
    cells = [
        f"`{preset}`", str(checkpoint_epoch(result)), str(result["step"]),
        _pair(g, r, "fd", "{:.2f}"),
        f"{g['kid']:.4f} ± {g['kid_std']:.4f} ({r['kid']:.4f})",
        _pair(g, r, "classifier_score", "{:.2f}"),
        f"{g['coverage']}/10 ({r['coverage']}/10)",
        _pair(g, r, "kl_uniform", "{:.3f}"),
        _pair(g, r, "precision", "{:.3f}"), _pair(g, r, "recall", "{:.3f}"),
        f"{seconds / 60:.1f}" if seconds == seconds else "-",
        f"{result['seconds']['generate'] + result['seconds']['score']:.1f}",
    ]
    return "| " + " | ".join(cells) + " |"


def write_markdown(rows: list[str], stacked: str | None, out: Path, args: argparse.Namespace,
                   elapsed: float) -> None:
    head = ("| preset | epochs | steps | FD | KID ± std | classifier score | coverage | "
            "KL to uniform | precision | recall | train min | eval s |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|")
    text = [
        "## The presets, evaluated\n",
        "Written by `benchmarks/results.py` (run: `make results`, i.e. "
        "`nice -n 10 python benchmarks/results.py`); do not edit by hand.",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, "
        f"torch {torch.__version__}, {torch.get_num_threads()} torch thread(s); whole script "
        f"{elapsed / 60:.0f} min (train min / eval s below are wall-clock)."
        "\n",
        "Each preset is trained with its own settings (`ganforge train --preset P --epochs E`); "
        "its newest checkpoint, written after the epochs in the table, is evaluated with "
        f"`ganforge evaluate RUN --n {args.n} --seed 0`: {args.n} samples, features of the "
        "ganforge evaluator of the data set. In brackets: the real-data floor, "
        f"{args.n} training images scored the same way against the test split.\n",
        head, *rows, "",
    ]
    if stacked:
        text += [
            "### Stacked MNIST (1,000 modes)\n",
            "Modes hit by 26,000 samples (each channel classified by the MNIST evaluator) and "
            "KL(mode histogram || uniform). Published rows use their own, smaller DCGAN and "
            "more training; they give the scale, not a like-for-like comparison.\n",
            "| model | modes (of 1000) | KL |", "|---|---|---|", stacked,
            *[f"| {m} | {modes} | {kl} |" for m, modes, kl in PUBLISHED], "",
        ]
    write_section(out, "presets", "\n".join(text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default="runs/results", help="folder for the runs")
    parser.add_argument("--doc", default="docs/results.md", help="markdown file to write")
    parser.add_argument("--n", type=int, default=10_000, help="samples per evaluation")
    parser.add_argument("--reuse", action="store_true",
                        help="evaluate the finished runs in --root instead of training")
    parser.add_argument("--train-only", action="store_true",
                        help="train, do not evaluate (to train presets in parallel processes)")
    parser.add_argument("--only", nargs="*", default=list(EPOCHS), help="presets to run")
    parser.add_argument("--epochs", nargs="*", default=[], metavar="PRESET=N",
                        help="override a preset's epochs, e.g. mlp-mnist=5")
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads (0 = torch's default; 1 is faster on busy cores)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    for item in args.epochs:
        preset, _, count = item.partition("=")
        EPOCHS[preset] = int(count)
    start, rows, stacked = time.perf_counter(), [], None
    for preset in args.only:
        run, seconds = run_preset(preset, EPOCHS[preset], Path(args.root), args.reuse,
                                   args.threads)
        if args.train_only:
            continue
        n = None if preset == "dcgan-stacked" else args.n
        result = evaluate_run(run, n, seed=0)
        (run / "eval.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
        print(f"{preset}: {json.dumps(result['metrics'])} real {json.dumps(result['real'])}",
              flush=True)
        if preset == "dcgan-stacked":
            g, r = result["metrics"], result["real"]
            stacked = (f"| ganforge `dcgan-stacked`, {checkpoint_epoch(result)} epoch(s), "
                       f"step {result['step']} | {g['modes']} "
                       f"(real data: {r['modes']}) | {g['kl_uniform']:.2f} "
                       f"(real data: {r['kl_uniform']:.2f}) |")
        else:
            rows.append(class_row(preset, result, seconds))
    if not args.train_only:
        write_markdown(rows, stacked, Path(args.doc), args, time.perf_counter() - start)
        print(f"wrote {args.doc}")


if __name__ == "__main__":
    main()
