"""The `ganforge train` command as functions: one place assembles everything a run needs,
for the command line (cli/train.py) and for scripts and notebooks (`ganforge.train`,
`ganforge.resume`) alike.

`training.run` builds the data, the networks and the objective from the config; this module
adds the observers the command line adds: the in-training evaluation every `eval_every`
epochs (eval records in metrics.jsonl, eval.png, the best checkpoint; first, so that its
figures are in the epoch summary the others see), then TensorBoard when asked for, then any
observers of the caller's own. So `ganforge.train(config)` writes what `ganforge train`
writes for the same settings.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from pathlib import Path
from shlex import quote
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ganforge.config import RunConfig
    from ganforge.training.observers import Observer


def run_observers(config: RunConfig, *, tensorboard: bool = False,
                  observers: Sequence[Observer] = ()) -> list[Observer]:
    """The observers of a run of `config`: its evaluation (when eval_every > 0 and ganforge
    has an evaluator for its data set), TensorBoard (when asked; a one-line error before
    training when the package is missing), then `observers`."""
    from ganforge.metrics.observer import make_eval_observer

    chosen: list[Observer] = []
    evaluation = make_eval_observer(config)
    if evaluation is not None:
        chosen.append(evaluation)
    if tensorboard:
        from ganforge.training.tensorboard import TensorBoardObserver

        chosen.append(TensorBoardObserver())
    return chosen + list(observers)


def anchored(config: RunConfig) -> RunConfig:
    """The config with a folder or archive data set named by its absolute path
    (data.registry.anchored_name): the run folder keeps it, so resuming, evaluating and
    serving from any working folder read the same data."""
    from ganforge.data.registry import anchored_name

    return with_dataset(config, anchored_name(config.data.dataset))


def with_dataset(config: RunConfig, dataset: str) -> RunConfig:
    """The config with its [data] dataset set to `dataset` (the same object when it is)."""
    if dataset == config.data.dataset:
        return config
    return dataclasses.replace(config, data=dataclasses.replace(config.data, dataset=dataset))


def moved_data(overrides: dict[str, str]) -> dict[str, str]:
    """Resume overrides with a data set given anew (a folder that moved) by its absolute
    path, as a new run keeps it."""
    from ganforge.data.registry import anchored_name

    if "dataset" not in overrides:
        return overrides
    return {**overrides, "dataset": anchored_name(overrides["dataset"])}


def default_out(config: RunConfig) -> Path:
    """runs/<preset>-<time> (runs/run-<time> without a preset)."""
    return Path("runs") / f"{config.preset or 'run'}-{time.strftime('%Y%m%d-%H%M%S')}"


def train(config: RunConfig, out: Path | str | None = None, *, force: bool = False,
          progress: bool | float | None = None, tensorboard: bool = False,
          observers: Sequence[Observer] = ()) -> Path:
    """Train a GAN as `config` says into `out` (default runs/<preset>-<time>), exactly as
    `ganforge train` does: evaluation every `config.train.eval_every` epochs, TensorBoard
    with `tensorboard=True`, then `observers`. Returns the run folder.

    `progress`: None = tqdm's bar on a terminal, else a plain line every 30 s; a number =
    a plain line every that many seconds; True = the bar; False = neither.
    """
    from ganforge.runs.lock import writer_lock
    from ganforge.training import run

    config = anchored(config)
    chosen = run_observers(config, tensorboard=tensorboard, observers=observers)
    out = default_out(config) if out is None else out
    with writer_lock(out):  # one writer: a second train or resume into `out` is one line
        return run.train(config, out, force=force, progress=progress, observers=chosen)


def resume(run_dir: Path | str, overrides: dict[str, str] | None = None, *,
           checkpoint: Path | str | None = None, progress: bool | float | None = None,
           tensorboard: bool = False, observers: Sequence[Observer] = ()) -> Path:
    """Continue a run from its newest intact checkpoint (or `checkpoint`), exactly, with the
    observers `ganforge train --resume` adds (evaluation as the run's config and the
    resume's `overrides` say)."""
    from ganforge.config import with_overrides
    from ganforge.errors import MissingFolder
    from ganforge.runs.folder import RunFolder
    from ganforge.runs.lock import writer_lock
    from ganforge.training import run

    overrides = moved_data(overrides or {})
    # the observers as the resumed run will be: its data as it is now, its evaluation
    config = with_overrides(RunFolder(run_dir).read_config(), overrides)
    try:
        chosen = run_observers(config, tensorboard=tensorboard, observers=observers)
        with writer_lock(run_dir):  # before anything (metrics.jsonl, temporaries) is touched
            return run.resume(run_dir, overrides, checkpoint=checkpoint, progress=progress,
                              observers=chosen)
    except MissingFolder as exc:
        raise MissingFolder(f"{exc}; a folder that moved is given anew: ganforge train "
                            f"--resume {quote(str(run_dir))} --dataset NEW/PATH") from None
