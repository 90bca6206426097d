"""`ganforge pretrained list|export|evaluate`: the trained generators shipped with ganforge.

    ganforge pretrained list                       # name, model, data set, size, metrics
    ganforge pretrained export RUN NAME [--checkpoint C] [--command "..."] [--metrics F]
    ganforge pretrained evaluate NAME              # measure again, next to the shipped figures
    ganforge pretrained evaluate NAME --store      # ... and keep them (after an evaluator change)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ganforge.cli import examples, progress_lines
from ganforge.cli.numbers import COUNT, SEED
from ganforge.cli.paths import PATH
from ganforge.metrics.summary import format_alignment, format_table  # torch-free


def add_source_arguments(p, example: str = "", caption: bool = False) -> None:
    """The RUN argument of sample, generate and serve, and --pretrained NAME instead of it
    (with `caption`, the CAPTION argument that follows RUN in `ganforge generate`)."""
    p.add_argument("run", nargs="?", type=PATH,
                   help="run folder or checkpoint (.json / .safetensors); or use --pretrained")
    if caption:
        p.add_argument("caption", nargs="?", help="what to draw, in words like those of the "
                                                  "captions the model was trained on")
    p.add_argument("--pretrained", metavar="NAME",
                   help=f"a generator shipped with ganforge instead of RUN{example} "
                        "(see ganforge pretrained list)")


def add_output_arguments(p) -> None:
    """--out and --format of sample and generate: where the images go, and as what."""
    p.add_argument("--out", required=True, type=PATH, help="output file or folder")
    p.add_argument("--format", choices=("png", "npz", "png-dir"),
                   help="a grid image (png: PNG, or JPEG or WebP for a .jpg or .webp --out), "
                        "an npz of uint8 images or a folder of PNGs (default: npz for an "
                        ".npz --out, else a grid)")


def add_encoder_dir_argument(p) -> None:
    """--text-encoder-dir: a model folder the user trusts as a text-to-image run's encoder."""
    p.add_argument("--text-encoder-dir", type=PATH, metavar="DIR", action="append", default=[],
                   help="a text encoder folder (safetensors weights) that a text-to-image "
                        "checkpoint may name; without it only the built-in encoders load")


def add_parser(sub) -> None:
    p = sub.add_parser("pretrained", help="the trained generators shipped with ganforge",
                       description="List the shipped generators (use one with --pretrained "
                                   "NAME in sample, generate and serve), export a run as one, "
                                   "or measure one again.",
                       **examples("ganforge pretrained list",
                                  "ganforge sample --pretrained best-fashion -n 16 --out g.png"))
    actions = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    listing = actions.add_parser("list", help="the shipped generators and their metrics",
                                 **examples("ganforge pretrained list"))
    listing.add_argument("--dir", type=PATH,
                         help="list this folder instead of the shipped generators")
    listing.set_defaults(handler=run_list)
    _add_export(actions)
    check = actions.add_parser("evaluate", help="measure a shipped generator again",
                               **examples("ganforge pretrained evaluate best-mnist --n 2000"))
    check.add_argument("name", help="a name from `ganforge pretrained list`")
    check.add_argument("--n", type=COUNT, help="samples (default: the n it was measured with; "
                                               f"{COUNT.range})")
    check.add_argument("--seed", type=SEED, help="noise seed (default: the one it was measured "
                                                 f"with; {SEED.range})")
    check.add_argument("--store", action="store_true",
                       help="write the figures measured now into the shipped record "
                            "(maintainers: after an evaluator changes)")
    check.set_defaults(handler=run_evaluate)


def _add_export(actions) -> None:
    p = actions.add_parser("export", help="write a run's generator as NAME.safetensors + "
                                          "NAME.json (maintainers)",
                           **examples("ganforge pretrained export runs/best best-fashion "
                                      "--metrics runs/best/eval.json"))
    p.add_argument("run", type=PATH, help="run folder or checkpoint (.json / .safetensors)")
    p.add_argument("name", help="the name to ship it as, e.g. best-fashion")
    p.add_argument("--checkpoint", type=PATH,
                   help="checkpoint file, or a name in the run (e.g. best); "
                        "default: the newest")
    p.add_argument("--command", help="the exact command that trained the run (default: "
                                     "ganforge train --config RUN/config.toml)")
    p.add_argument("--metrics", type=PATH,
                   help="an evaluation JSON of the same checkpoint (RUN/eval.json) "
                        "instead of evaluating here")
    p.add_argument("--n", type=COUNT,
                   help=f"samples to evaluate (default: as `ganforge evaluate`, 10000 or a "
                        f"text run's held-out captions; {COUNT.range})")
    p.add_argument("--seed", type=SEED, default=0,
                   help=f"noise seed of the evaluation (default 0; {SEED.range})")
    p.add_argument("--dir", type=PATH, help="write here instead of the package's pretrained folder")
    p.add_argument("--force", action="store_true", help="replace a generator of that name")
    p.set_defaults(handler=run_export)


HEADER = ["name", "model", "data set", "MB", "FD", "coverage", "precision", "recall",
          "class align", "n"]


def format_rows(rows: list[list[str]]) -> str:
    """Rows as aligned text columns (text left, figures right)."""
    table = [HEADER, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    return "\n".join(
        "  ".join(cell.ljust(w) if i < 3 else cell.rjust(w)
                  for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
        for row in table)


def run_list(args: argparse.Namespace) -> int:
    import sys

    from ganforge.pretrained.listing import list_rows
    from ganforge.pretrained.store import pretrained_folder

    folder = Path(args.dir) if args.dir else pretrained_folder()  # PATH expanded ~
    if args.dir and not folder.is_dir():
        from ganforge.errors import ConfigError

        raise ConfigError(f"--dir {args.dir}: " + ("not a folder" if folder.exists()
                                                    else "no such folder"))
    rows, warnings = list_rows(folder)  # a malformed record: one warning line, skipped
    for warning in warnings:
        print(warning, file=sys.stderr)
    if not rows:
        print(f"no pretrained generators in {folder}")
        return 0
    print(format_rows(rows))
    print("FD, coverage, precision/recall: `ganforge evaluate` figures of n samples, seed 0; "
          "class align: images of held-out captions (text-to-image)")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from ganforge.export import export_run

    path = export_run(args.run, args.name, checkpoint=args.checkpoint, command=args.command,
                      metrics=args.metrics, n=args.n, seed=args.seed, folder=args.dir,
                      force=args.force)
    print(f"wrote {path.with_suffix('.safetensors')} and {path}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from ganforge.export import evaluate_checkpoint
    from ganforge.pretrained.store import checkpoint_path, read_entry

    entry = read_entry(args.name)
    shipped = entry["pretrained"].get("evaluation", {})
    n = args.n if args.n is not None else int(shipped.get("n", 10_000))
    seed = args.seed if args.seed is not None else int(shipped.get("seed", 0))
    with progress_lines("ganforge.metrics"):
        result = evaluate_checkpoint(checkpoint_path(args.name), n, seed)
    print(f"pretrained {args.name}: {n} samples (seed {seed}) of {result['dataset']}")
    print(format_table(result))
    if "alignment" in result:
        print(format_alignment(result))
    fd = shipped.get("metrics", {}).get("fd")
    if fd is not None:
        print(f"shipped figures: FD {fd:.3f} with n={shipped.get('n')}, seed "
              f"{shipped.get('seed')}; measured now: FD {result['metrics']['fd']:.3f}")
    if args.store:
        from ganforge.export import store_evaluation

        print(f"stored these figures in {store_evaluation(args.name, result)}")
    return 0
