"""`ganforge train`: train a GAN from a preset, a config file and command-line overrides."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ganforge.config import all_option_names, list_presets
from ganforge.errors import ConfigError
from ganforge.training.run_folder import RunFolder


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train a GAN", description=(
        "Train a GAN. Settings come from --preset, then --config, then the options below."))
    p.add_argument("--preset", help=f"one of: {', '.join(list_presets())}")
    p.add_argument("--config", help="a TOML file of settings ([data], [model], [loss], ...)")
    p.add_argument("--out", help="run folder (default runs/<preset>-<time>)")
    p.add_argument("--force", action="store_true", help="replace a run already in --out")
    p.add_argument("--resume", metavar="RUN|auto|CHECKPOINT", help=(
        "continue a run exactly: a run folder (its newest intact checkpoint), a checkpoint "
        "file, or 'auto' (resume --out if it holds a run, else start it)"))
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--tensorboard", action="store_true",
                   help="also write TensorBoard event files to RUN/tensorboard "
                        "(needs: pip install 'ganforge[tensorboard]')")
    group = p.add_argument_group("settings (override the preset and config file)")
    for name in all_option_names():
        if name in ("channels", "image_size", "num_classes", "text_dim"):
            continue  # taken from the data set and its text encoder
        group.add_argument(f"--{name.replace('_', '-')}", dest=f"set_{name}", metavar="VALUE")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ganforge.training.loop import Interrupted
    from ganforge.training.run import resume, train

    overrides = {k[4:]: v for k, v in vars(args).items() if k.startswith("set_") and v is not None}
    progress = False if args.no_progress else None
    observers = []
    if args.tensorboard:
        from ganforge.training.tensorboard import TensorBoardObserver

        observers.append(TensorBoardObserver())  # fails here, before training, if not installed
    try:
        target = _resume_target(args)
        if target is not None:
            run_dir, checkpoint = target
            folder_config = RunFolder(run_dir).read_config()
            _check_resume_settings(args, folder_config, run_dir)
            observers = _with_evaluation(folder_config, observers)
            path = resume(run_dir, overrides, checkpoint=checkpoint, progress=progress,
                          observers=observers)
        else:
            config, restart = _fresh_config(args, overrides)
            out = args.out or f"runs/{config.preset or 'run'}-{time.strftime('%Y%m%d-%H%M%S')}"
            path = train(config, out, force=args.force or restart, progress=progress,
                         observers=_with_evaluation(config, observers))
    except Interrupted as stop:
        print(f"ganforge: {stop}", file=sys.stderr)
        return stop.exit_code
    print(f"run folder: {path}")
    return 0


def _with_evaluation(config, observers: list) -> list:
    """The quick evaluation every --eval-every epochs (when the data set has an evaluator),
    first, so that its figures are in the epoch summary the other observers see."""
    from ganforge.metrics.observer import make_eval_observer

    evaluation = make_eval_observer(config)
    return ([evaluation] if evaluation is not None else []) + observers


def _resume_target(args: argparse.Namespace) -> tuple[Path, Path | None] | None:
    """(run folder, checkpoint or None) to resume, or None to start a new run."""
    if args.resume is None:
        return None
    if args.resume == "auto":
        if not args.out:
            raise ConfigError("--resume auto needs --out RUN")
        return (Path(args.out), None) if _has_checkpoints(Path(args.out)) else None
    target = Path(args.resume)
    if target.is_file() or target.suffix in (".json", ".safetensors"):
        return target.parent.parent, target
    return target, None


def _has_checkpoints(run: Path) -> bool:
    from ganforge.training.checkpoint import resumable_checkpoints

    return (run / "config.toml").exists() and bool(resumable_checkpoints(run))


def _check_resume_settings(args: argparse.Namespace, run_config, run_dir: Path) -> None:
    """A resumed run keeps its own settings: --config is refused, --preset must be its own."""
    if args.config:
        raise ConfigError("--resume continues a run with its own settings; drop --config")
    _check_preset(args, run_config, run_dir)


def _check_preset(args: argparse.Namespace, run_config, run_dir: Path) -> None:
    if args.preset and args.preset != run_config.preset:
        raise ConfigError(f"--preset {args.preset} does not match the run in {run_dir} (preset "
                          f"{run_config.preset}); drop --preset, or use another --out")


def _fresh_config(args: argparse.Namespace, overrides: dict[str, str]):
    """(config of a new run, whether it replaces a run that never reached a checkpoint): with
    --resume auto such a run (killed early) starts afresh, from its own settings unless the
    command line gives a preset or config (a preset must then be the run's own)."""
    from ganforge.config import resolve_config

    out = Path(args.out) if args.out else None
    restart = args.resume == "auto" and out is not None and (out / "config.toml").exists()
    if not restart:
        return resolve_config(args.preset, args.config, overrides), False
    _check_preset(args, RunFolder(out).read_config(), out)
    if args.preset or args.config:
        return resolve_config(args.preset, args.config, overrides), True
    return resolve_config(config_file=out / "config.toml", overrides=overrides), True
