"""`ganforge train`: train a GAN from a preset, a config file and command-line overrides."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ganforge.cli import examples
from ganforge.cli.numbers import Real
from ganforge.cli.paths import PATH
from ganforge.cli.settings import add_setting_options
from ganforge.config import list_presets
from ganforge.errors import ConfigError
from ganforge.runtime.ranks import writer_process

PROGRESS = Real(0, 1e9, "0..1e9")  # seconds between progress lines


def add_parser(sub) -> None:
    p = sub.add_parser(
        "train", help="train a GAN", usage="ganforge train [--preset NAME] [--config FILE] "
        "[--out RUN] [--SETTING VALUE ...]",
        description="Train a GAN into a run folder. Settings come from the defaults, then "
                    "--preset, then --config, then the --SETTING options below. The first line "
                    "says what the run will do.",
        **examples("ganforge train --preset dcgan-mnist --epochs 5 --out runs/dcgan",
                   "ganforge train --preset mlp-mnist --max-steps 200 --limit 2048  # a trial",
                   "ganforge train --resume runs/dcgan --epochs 30   # train longer"))
    p.add_argument("--preset", metavar="NAME", help=f"one of: {', '.join(list_presets())}")
    p.add_argument("--config", type=PATH, metavar="FILE",
                   help="a TOML file of settings ([data], [model], [loss], ...)")
    p.add_argument("--out", type=PATH, metavar="RUN",
                   help="run folder (default runs/<preset>-<time>)")
    p.add_argument("--force", action="store_true", help="replace a run already in --out")
    p.add_argument("--resume", type=PATH, metavar="RUN|auto|CHECKPOINT", help=(
        "continue a run exactly, in its own folder: a run folder (its newest intact "
        "checkpoint), a checkpoint file, or 'auto' (resume --out if it holds a run, else "
        "start it)"))
    p.add_argument("--no-progress", action="store_true", help="no progress bar or lines")
    p.add_argument("--progress-every", type=PROGRESS, metavar="SECONDS", help=(
        "a plain progress line (step, images/s, ETA) every SECONDS instead of the bar "
        f"(default: the bar on a terminal, else a line every 30 s; {PROGRESS.range})"))
    p.add_argument("--tensorboard", action="store_true",
                   help="also write TensorBoard event files to RUN/tensorboard "
                        "(needs: pip install 'ganforge[tensorboard]')")
    add_setting_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ganforge.api import default_out, resume, train
    from ganforge.runs.folder import RunFolder
    from ganforge.training.loop import Interrupted

    overrides = {k[4:]: v for k, v in vars(args).items() if k.startswith("set_") and v is not None}
    progress = False if args.no_progress else args.progress_every
    if args.tensorboard:
        from ganforge.training.tensorboard import require_tensorboard

        require_tensorboard()  # fails here, before anything else, if not installed
    try:
        target = _resume_target(args)
        if target is not None:
            run_dir, checkpoint = target
            folder_config = RunFolder(run_dir).read_config()
            _check_resume_settings(args, folder_config, run_dir)
            path = resume(run_dir, overrides, checkpoint=checkpoint, progress=progress,
                          tensorboard=args.tensorboard)
        else:
            config, restart = _fresh_config(args, overrides)
            path = train(config, args.out or default_out(config), force=args.force or restart,
                         progress=progress, tensorboard=args.tensorboard)
    except Interrupted as stop:
        print(f"ganforge: {stop}", file=sys.stderr)
        return stop.exit_code
    if writer_process():  # under torchrun, process 0 alone says it
        print(f"run folder: {path}")
    return 0


def _resume_target(args: argparse.Namespace) -> tuple[Path, Path | None] | None:
    """(run folder, checkpoint or None) to resume, or None to start a new run."""
    if args.resume is None:
        return None
    if args.resume == "auto":
        if not args.out:
            raise ConfigError("--resume auto needs --out RUN")
        return (Path(args.out), None) if _has_checkpoints(Path(args.out)) else None
    target = Path(args.resume)
    if not target.exists():
        raise ConfigError(f"--resume {target}: {target} does not exist (to start a run "
                          f"there: --out {target}, or --resume auto --out {target})")
    if target.is_file() or target.suffix in (".json", ".safetensors"):
        run, checkpoint = target.parent.parent, target
    else:
        run, checkpoint = target, None
    _check_same_folder(args, run)
    return run, checkpoint


def _check_same_folder(args: argparse.Namespace, run: Path) -> None:
    """`--resume RUN` continues RUN where it lies: an --out elsewhere is refused, not
    passed over (--out RUN itself, the same folder, is accepted)."""
    if args.out is not None and Path(args.out).resolve() != run.resolve():
        raise ConfigError(f"--resume continues {run} in its own folder, not in --out "
                          f"{args.out}; drop --out (or copy the run folder to {args.out} "
                          f"first and resume that)")


def _has_checkpoints(run: Path) -> bool:
    from ganforge.runs.checkpoint import resumable_checkpoints
    from ganforge.runs.folder import RunFolder

    return RunFolder(run).is_run() and bool(resumable_checkpoints(run))


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
    from ganforge.runs.folder import RunFolder

    out = Path(args.out) if args.out else None
    restart = args.resume == "auto" and out is not None and RunFolder(out).is_run()
    if not restart:
        return resolve_config(args.preset, args.config, overrides), False
    _check_preset(args, RunFolder(out).read_config(), out)
    if args.preset or args.config:
        return resolve_config(args.preset, args.config, overrides), True
    return resolve_config(config_file=RunFolder(out).config, overrides=overrides), True
