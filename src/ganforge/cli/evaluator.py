"""`ganforge evaluator train NAME`: train the CNN whose features score generated samples;
`ganforge evaluator refit NAME`: refit its attribute heads on renders of every combination;
`ganforge evaluator fit DATA`: fit an evaluator for any data set, a built-in one or a folder."""

from __future__ import annotations

import argparse

from ganforge.cli import examples
from ganforge.cli.data import add_folder_options, folder_options, refuse_size_of_built_in
from ganforge.cli.numbers import Whole
from ganforge.cli.paths import PATH

# the render ids of a refit grow with the seed: 2^31 seeds keep them in 64 bits
EPOCHS, EVALUATOR_SEED = Whole(1, 1000), Whole(0, 2**31 - 1, "0..2^31-1")


def add_parser(sub) -> None:
    from ganforge.metrics.weights import DEFAULT_EPOCHS, DEFAULT_SEED, EVALUATORS

    p = sub.add_parser("evaluator", help="train the evaluator networks used by `evaluate`",
                       description="Train the CNN whose features score generated samples.",
                       **examples("ganforge evaluator train mnist"))
    actions = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    t = actions.add_parser("train", help="train an evaluator on a data set's training split",
                           **examples("ganforge evaluator train fashion-mnist --epochs 5 "
                                      "--out /tmp/ev"))
    t.add_argument("name", help=f"one of: {', '.join(EVALUATORS)}")
    t.add_argument("--epochs", type=EPOCHS, default=DEFAULT_EPOCHS,
                   help=f"passes over the training split (default {DEFAULT_EPOCHS}; "
                        f"{EPOCHS.range})")
    t.add_argument("--seed", type=EVALUATOR_SEED, default=DEFAULT_SEED,
                   help=f"seed of weights, order and augmentation (default {DEFAULT_SEED}; "
                        f"{EVALUATOR_SEED.range})")
    t.add_argument("--out", type=PATH, help="folder for NAME.safetensors and NAME.json "
                                            "(default: the package's weights folder)")
    t.add_argument("--data-dir", type=PATH, help="look for the data set here first")
    t.set_defaults(handler=run_train)
    r = actions.add_parser("refit", help="refit an evaluator's attribute heads on renders of "
                                         "every attribute combination (synthetic-flowers)",
                           **examples("ganforge evaluator refit synthetic-flowers --out /tmp/ev"))
    r.add_argument("name", help=f"one of: {', '.join(EVALUATORS)} (its data set must draw "
                                "renders: synthetic-flowers)")
    r.add_argument("--seed", type=EVALUATOR_SEED, default=DEFAULT_SEED,
                   help=f"seed of the renders and the heads' weights (default {DEFAULT_SEED}; "
                        f"{EVALUATOR_SEED.range})")
    r.add_argument("--out", type=PATH,
                   help="folder holding NAME.safetensors and NAME.json, rewritten "
                        "in place (default: the package's weights folder)")
    r.add_argument("--data-dir", type=PATH, help="look for the data set here first")
    r.set_defaults(handler=run_refit)
    add_fit_parser(actions)


def add_fit_parser(actions) -> None:
    from ganforge.metrics.fitted import KINDS, MAX_EPOCHS
    from ganforge.metrics.fitted import STEPS as FIT_STEPS

    f = actions.add_parser(
        "fit", help="fit an evaluator for any data set (a built-in one or a folder)",
        description="Fit an evaluator on a data set's training split and measure it on its "
                    "test split: an image-text encoder when the data has captions, a "
                    "classifier when it has classes, a self-supervised image encoder when "
                    "it has neither. `ganforge evaluate` then finds it for that data set.",
        **examples("ganforge evaluator fit synthetic-flowers",
                   "ganforge evaluator fit ./my-images --out /tmp/ev"))
    f.add_argument("data", type=PATH, help="a data set name or a folder of images")
    f.add_argument("--kind", choices=("auto", *KINDS), default="auto",
                   help="what to fit (default auto: contrastive with captions, else classifier "
                        "with classes, else self-supervised)")
    f.add_argument("--epochs", type=EPOCHS,
                   help="passes over the training split (default: as many as make about "
                        + ", ".join(f"{v} steps ({k})" for k, v in FIT_STEPS.items())
                        + f" of 256 images, at most {MAX_EPOCHS}; {EPOCHS.range})")
    f.add_argument("--seed", type=EVALUATOR_SEED, default=0,
                   help=f"seed of weights, order, augmentation and captions (default 0; "
                        f"{EVALUATOR_SEED.range})")
    f.add_argument("--text-encoder", default="minilm",
                   help="sentence encoder of the captions (default minilm)")
    f.add_argument("--out", type=PATH,
                   help="folder for KIND.safetensors and KIND.json (default: the "
                        "user cache, where `ganforge evaluate` looks for this data set)")
    f.add_argument("--data-dir", type=PATH, help="look for the data set here first")
    add_folder_options(f)  # a folder prepared as for `ganforge train`: evaluate loads it so
    f.set_defaults(handler=run_fit)


def run_train(args: argparse.Namespace) -> int:
    from ganforge.metrics.evaluator_training import train_evaluator
    from ganforge.metrics.weights import weights_dir

    record = train_evaluator(args.name, epochs=args.epochs, seed=args.seed, out=args.out,
                             data_dir=args.data_dir)
    folder = args.out or weights_dir()
    print(f"evaluator {record['name']}: test accuracy {record['test_accuracy']:.2%}, "
          f"sha256 {record['sha256'][:16]}..., written to {folder}")
    return 0


def run_refit(args: argparse.Namespace) -> int:
    from ganforge.metrics.evaluator_training import refit_evaluator
    from ganforge.metrics.weights import weights_dir

    record = refit_evaluator(args.name, seed=args.seed, folder=args.out, data_dir=args.data_dir)
    after = record["refit"]["after"]["new_combinations"]
    print(f"evaluator {record['name']}: heads refitted; on combinations no class has "
          + ", ".join(f"{k} {v:.3f}" for k, v in after.items())
          + f"; sha256 {record['sha256'][:16]}..., written to {args.out or weights_dir()}")
    return 0


def run_fit(args: argparse.Namespace) -> int:
    from ganforge.metrics.evaluator_fit import fit_evaluator

    refuse_size_of_built_in(args, args.data)
    record = fit_evaluator(args.data, kind=args.kind, epochs=args.epochs, seed=args.seed,
                           out=args.out, data_dir=args.data_dir, text_encoder=args.text_encoder,
                           options=folder_options(args))
    print(f"evaluator {record['data']} ({record['kind']}): sha256 {record['sha256'][:16]}..., "
          f"written to {record['path']}")
    return 0
