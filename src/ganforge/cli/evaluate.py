"""`ganforge evaluate RUN` / `ganforge evaluate --samples FILE.npz --dataset NAME`: measure
sample quality with every metric next to its real-data floor; a run's results go to
RUN/eval.json."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ganforge.cli import examples, progress_lines
from ganforge.cli.numbers import COUNT, SEED
from ganforge.cli.paths import PATH
from ganforge.cli.pretrained import add_encoder_dir_argument
from ganforge.metrics.summary import format_alignment, format_table, format_unseen  # torch-free


def add_parser(sub) -> None:
    p = sub.add_parser("evaluate", help="measure sample quality (FD, KID, coverage, ...)",
                       description="Score a run's samples, or samples from an .npz file, "
                                   "each figure next to its real-data floor.",
                       **examples("ganforge evaluate runs/dcgan --n 10000 --seed 0",
                                  "ganforge evaluate --samples samples.npz --dataset mnist"))
    p.add_argument("run", nargs="?", type=PATH,
                   help="run folder or checkpoint (.json / .safetensors)")
    p.add_argument("--n", type=COUNT, help="samples to generate (default 10000; 26000 for "
                                           f"stacked-mnist; {COUNT.range})")
    p.add_argument("--seed", type=SEED, default=0, help=f"noise seed (default 0; {SEED.range})")
    p.add_argument("--checkpoint", type=PATH,
                   help="checkpoint file, or a name in the run (e.g. best)")
    p.add_argument("--features", choices=("evaluator", "inception"), default="evaluator",
                   help="feature space for FD, KID and precision/recall")
    p.add_argument("--samples", type=PATH,
                   help="score uint8 images from this .npz file instead of a run")
    p.add_argument("--dataset", type=PATH,
                   help="data set the --samples imitate (mnist, fashion-mnist, "
                        "stacked-mnist, ...); with a run: score it against this "
                        "data set instead of its own (same image shape)")
    p.add_argument("--data-dir", type=PATH,
                   help="look for the data set here first (with --samples)")
    p.add_argument("--captions", choices=("held-out", "unseen"), default="held-out",
                   help="text-to-image runs: alignment on the held-out captions (default), or "
                        "also on captions never seen in training (new word orders, new "
                        "attribute combinations, whole species, held-out words), with the "
                        "ratio unseen / held-out")
    p.add_argument("--json", type=PATH, help="also write the results to this JSON file")
    add_encoder_dir_argument(p)
    p.set_defaults(handler=run)


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
    from ganforge.fileio import atomic_write_json, check_output
    from ganforge.metrics.evaluate import evaluate_npz, evaluate_run

    if (args.run is None) == (args.samples is None):
        raise ConfigError("evaluate: give a run folder or --samples FILE.npz (one of them)")
    if args.json is not None:
        check_output(args.json)  # a device, a folder, under a file: refused before scoring
    if args.samples is not None:
        if args.dataset is None:
            raise ConfigError("evaluate --samples: --dataset is required (e.g. --dataset mnist)")
        if args.captions == "unseen":
            raise ConfigError("evaluate --samples: --captions unseen needs a text-to-image run "
                              "(it draws images from captions)")
        for flag, value in (("--n", args.n), ("--checkpoint", args.checkpoint)):
            if value is not None:  # a run's options: the file's images are scored, all of them
                raise ConfigError(f"evaluate --samples: {flag} is for a run (every image in "
                                  f"the file is scored; keep fewer in the file to score fewer)")
        result = evaluate_npz(args.samples, args.dataset, seed=args.seed,
                              features=args.features, data_dir=args.data_dir)
        target = None
    else:
        result = evaluate_run(args.run, args.n, seed=args.seed, checkpoint=args.checkpoint,
                              features=args.features, encoder_dirs=tuple(args.text_encoder_dir),
                              unseen=args.captions == "unseen", dataset=args.dataset)
        target = _eval_target(Path(args.run))
    print(_header(result))
    print(format_table(result))
    if "alignment" in result:  # text-to-image runs
        print(format_alignment(result))
    if "unseen" in result:
        print(format_unseen(result))
    for path in (target, args.json):
        if path is not None:
            atomic_write_json(path, result)
            print(f"wrote {path}")
    return 0


def _eval_target(path: Path) -> Path | None:
    """RUN/eval.json of the run folder `path` is or belongs to; None (and a note) when it
    belongs to none: results are only ever written inside a run folder."""
    from ganforge.runs.folder import CONFIG, EVAL, RunFolder, run_folder_of

    run = run_folder_of(path)
    if run is None:
        print(f"note: {path} is not in a run folder (no {CONFIG}); {EVAL} not written "
              "(use --json FILE)")
        return None
    return RunFolder(run).eval
