"""`ganforge evaluator train NAME`: train the CNN whose features score generated samples."""

from __future__ import annotations

import argparse

from ganforge.cli import examples


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
    t.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS,
                   help=f"passes over the training split (default {DEFAULT_EPOCHS})")
    t.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"seed of weights, order and augmentation (default {DEFAULT_SEED})")
    t.add_argument("--out", help="folder for NAME.safetensors and NAME.json "
                                 "(default: the package's weights folder)")
    t.add_argument("--data-dir", help="look for the data set here first")
    t.set_defaults(handler=run_train)


def run_train(args: argparse.Namespace) -> int:
    from ganforge.errors import ConfigError
    from ganforge.metrics.evaluator_training import train_evaluator
    from ganforge.metrics.weights import weights_dir

    if args.epochs < 1:
        raise ConfigError(f"--epochs must be at least 1, got {args.epochs}")
    record = train_evaluator(args.name, epochs=args.epochs, seed=args.seed, out=args.out,
                             data_dir=args.data_dir)
    folder = args.out or weights_dir()
    print(f"evaluator {record['name']}: test accuracy {record['test_accuracy']:.2%}, "
          f"sha256 {record['sha256'][:16]}..., written to {folder}")
    return 0
