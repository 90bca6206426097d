"""`ganforge train`: train a GAN from a preset, a config file and command-line overrides."""

from __future__ import annotations

import argparse
import time

from ganforge.config import all_option_names, list_presets


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train a GAN", description=(
        "Train a GAN. Settings come from --preset, then --config, then the options below."))
    p.add_argument("--preset", help=f"one of: {', '.join(list_presets())}")
    p.add_argument("--config", help="a TOML file of settings ([data], [model], [loss], ...)")
    p.add_argument("--out", help="run folder (default runs/<preset>-<time>)")
    p.add_argument("--force", action="store_true", help="replace a run already in --out")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    group = p.add_argument_group("settings (override the preset and config file)")
    for name in all_option_names():
        if name in ("channels", "image_size"):
            continue  # taken from the data set
        group.add_argument(f"--{name.replace('_', '-')}", dest=f"set_{name}", metavar="VALUE")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ganforge.config import resolve_config
    from ganforge.training.run import train

    overrides = {k[4:]: v for k, v in vars(args).items() if k.startswith("set_") and v is not None}
    config = resolve_config(args.preset, args.config, overrides)
    out = args.out or f"runs/{config.preset or 'run'}-{time.strftime('%Y%m%d-%H%M%S')}"
    path = train(config, out, force=args.force, progress=False if args.no_progress else None)
    print(f"run folder: {path}")
    return 0
