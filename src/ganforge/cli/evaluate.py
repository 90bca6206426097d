"""`ganforge evaluate RUN` / `ganforge evaluate --samples FILE.npz --dataset NAME`: measure
sample quality with every metric next to its real-data floor; a run's results go to
RUN/eval.json."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ganforge.cli import examples, progress_lines
from ganforge.cli.pretrained import add_encoder_dir_argument

# (key, label, format) of each row; a row is printed when the result holds its key.
ROWS = (
    ("fd", "FD (evaluator features)", "{:.3f}"),
    ("kid", "KID (± std over subsets)", "{:.4g}"),
    ("classifier_score", "classifier score (max K)", "{:.3f}"),
    ("coverage", "classes covered (>= 1%)", "{}"),
    ("modes", "modes hit (of 1000)", "{}"),
    ("kl_uniform", "KL(classes || uniform)", "{:.4f}"),
    ("precision", "precision (k=3)", "{:.3f}"),
    ("recall", "recall (k=3)", "{:.3f}"),
)


def add_parser(sub) -> None:
    p = sub.add_parser("evaluate", help="measure sample quality (FD, KID, coverage, ...)",
                       description="Score a run's samples, or samples from an .npz file, "
                                   "each figure next to its real-data floor.",
                       **examples("ganforge evaluate runs/dcgan --n 10000 --seed 0",
                                  "ganforge evaluate --samples samples.npz --dataset mnist"))
    p.add_argument("run", nargs="?", help="run folder or checkpoint (.json / .safetensors)")
    p.add_argument("--n", type=int, help="samples to generate (default 10000; 26000 for "
                                         "stacked-mnist)")
    p.add_argument("--seed", type=int, default=0, help="noise seed (default 0)")
    p.add_argument("--checkpoint", help="checkpoint file, or a name in the run (e.g. best)")
    p.add_argument("--features", choices=("evaluator", "inception"), default="evaluator",
                   help="feature space for FD, KID and precision/recall")
    p.add_argument("--samples", help="score uint8 images from this .npz file instead of a run")
    p.add_argument("--dataset", help="data set the --samples imitate (mnist, fashion-mnist, "
                                     "stacked-mnist)")
    p.add_argument("--data-dir", help="look for the data set here first (with --samples)")
    p.add_argument("--json", help="also write the results to this JSON file")
    add_encoder_dir_argument(p)
    p.set_defaults(handler=run)


def _cell(key: str, fmt: str, values: dict[str, Any]) -> str:
    if key == "coverage":
        return f"{values['coverage']}/{values['num_classes']}"
    if key == "kid":
        return f"{values['kid']:.4g} ± {values['kid_std']:.2g}"
    return fmt.format(values[key])


def format_table(result: dict[str, Any]) -> str:
    """The results as a text table: figure, real-data floor, sample count on every row."""
    gen, real = result["metrics"], result["real"]
    lines = [f"{'metric':<27} {'generated':>21} {'real data':>21} {'n':>7}"]
    for key, label, fmt in ROWS:
        if key in gen:
            lines.append(f"{label:<27} {_cell(key, fmt, gen):>21} {_cell(key, fmt, real):>21} "
                         f"{result['n']:>7}")
    return "\n".join(lines)


def _header(result: dict[str, Any]) -> str:
    """What was scored: a file's samples (no seed), or a checkpoint's (with the noise seed)."""
    if "samples" in result:
        source = f"{result['samples']}: {result['n']} samples"
    else:
        source = (f"{result['checkpoint']} (step {result['step']}): {result['n']} samples "
                  f"(seed {result['seed']})")
    return (f"{source} of {result['dataset']} vs its test split; real data = "
            f"{result['real']['n']} training images; features: {result['features']}")


def run(args: argparse.Namespace) -> int:
    with progress_lines("ganforge.metrics"):
        return _evaluate(args)


def _evaluate(args: argparse.Namespace) -> int:
    from ganforge.errors import ConfigError
    from ganforge.fileio import atomic_write_json
    from ganforge.metrics.evaluate import evaluate_npz, evaluate_run

    if (args.run is None) == (args.samples is None):
        raise ConfigError("evaluate: give a run folder or --samples FILE.npz (one of them)")
    if args.samples is not None:
        if args.dataset is None:
            raise ConfigError("evaluate --samples: --dataset is required (e.g. --dataset mnist)")
        result = evaluate_npz(args.samples, args.dataset, seed=args.seed,
                              features=args.features, data_dir=args.data_dir)
        target = None
    else:
        result = evaluate_run(args.run, args.n, seed=args.seed, checkpoint=args.checkpoint,
                              features=args.features, encoder_dirs=tuple(args.text_encoder_dir))
        target = _eval_target(Path(args.run))
    print(_header(result))
    print(format_table(result))
    if "alignment" in result:  # text-to-image runs
        from ganforge.metrics.alignment import format_alignment

        print(format_alignment(result))
    for path in (target, args.json):
        if path is not None:
            atomic_write_json(path, result)
            print(f"wrote {path}")
    return 0


def _eval_target(path: Path) -> Path | None:
    """RUN/eval.json of the run folder `path` is or belongs to; None (and a note) when it
    belongs to none: results are only ever written inside a run folder."""
    from ganforge.runs.folder import run_folder_of

    run = run_folder_of(path)
    if run is None:
        print(f"note: {path} is not in a run folder (no config.toml); eval.json not written "
              "(use --json FILE)")
        return None
    return run / "eval.json"
