"""In-training evaluation: every `eval_every` epochs, score `eval_samples` samples of the
generator (drawn as the run's condition says, metrics.draw: from noise, or from held-out
captions with the class alignment beside FD), append a record {"kind": "eval", ...} to
metrics.jsonl, show FD and coverage in the epoch line, warn when classes vanish (mode
collapse), keep the best-FD checkpoint as `checkpoints/best`, and draw FD over epochs into
eval.png when the run ends.

The samples come from a torch.Generator of their own and the evaluator is built in a forked
RNG, so a run trains identically with and without evaluation.
"""

from __future__ import annotations

import inspect
import sys
from typing import TYPE_CHECKING, Any

from ganforge.data.registry import DATASETS
from ganforge.errors import ConfigError
from ganforge.metrics import evaluate
from ganforge.metrics.draw import Drawing, FromNoise, drawing_for
from ganforge.metrics.plot import plot_eval
from ganforge.metrics.run_checks import check_folder, check_preparation
from ganforge.training.observers import Observer

if TYPE_CHECKING:
    from ganforge.config import RunConfig
    from ganforge.training.loop import TrainingLoop

EVAL_SEED_OFFSET = 7919  # the evaluation noise seed is the run's seed + this


def eval_record(result: dict[str, Any], epoch: int, step: int) -> dict[str, Any]:
    """The metrics.jsonl record of one evaluation: figures, and each one's real floor."""
    record: dict[str, Any] = {"kind": "eval", "epoch": epoch, "step": step, "n": result["n"]}
    record.update(result["metrics"])
    for name, value in result["real"].items():
        if isinstance(value, (int, float)) and name not in ("n", "num_classes", "num_modes"):
            record[f"{name}_real"] = value
    return record


def save_named_checkpoint(loop: TrainingLoop, summary: dict[str, Any], name: str) -> None:
    """loop.save_checkpoint under `name`, with this epoch's summary stored in it."""
    if "epoch" in inspect.signature(loop.save_checkpoint).parameters:
        loop.save_checkpoint(summary["epoch"], summary, name=name)
    else:  # the loop stores its last summary with the checkpoint
        loop.last_summary = summary
        loop.save_checkpoint(name=name)


class EvalObserver(Observer):
    """Cheap evaluation during training (see the module docstring)."""

    def __init__(self, dataset: str, every: int, samples: int, seed: int = 0,
                 data_dir: str | None = None, drawing: Drawing | None = None):
        self.dataset, self.every, self.samples = dataset, every, samples
        self.drawing = FromNoise(dataset) if drawing is None else drawing
        self.seed, self.data_dir = seed + EVAL_SEED_OFFSET, data_dir
        self.best_fd: float | None = None
        self.previous: set[int] | None = None  # classes covered at the last evaluation
        self._resumed = False

    def on_epoch_end(self, loop: TrainingLoop, summary: dict[str, Any]) -> None:
        epoch = summary["epoch"]
        if self.every < 1 or epoch % self.every != 0:
            return
        self._pick_up_earlier(loop)
        result = self.evaluate(loop)
        record = eval_record(result, epoch, summary["step"])
        loop.folder.append_records([record])
        metrics = result["metrics"]
        if "fd" in metrics:
            summary["fd"] = metrics["fd"]
        if "coverage" in metrics:
            summary["coverage"] = f"{metrics['coverage']}/{metrics['num_classes']}"
            self._check_coverage(loop, metrics, epoch)
        elif "modes" in metrics:
            summary["coverage"] = f"{metrics['modes']}/{metrics['num_modes']} modes"
        score = metrics.get("fd", metrics.get("kl_uniform"))
        if score is not None and (self.best_fd is None or score < self.best_fd):
            self.best_fd = score
            save_named_checkpoint(loop, summary, "best")

    def evaluate(self, loop: TrainingLoop) -> dict[str, Any]:
        """Score `samples` images of the loop's generator (its train mode is restored)."""
        cfg = loop.config
        images = self.drawing.draw(loop.trainer.generator, cfg, self.samples, self.seed)
        result = evaluate.evaluate_images(images, self.dataset, seed=self.seed,
                                          data_dir=self.data_dir)
        result["metrics"].update(self.drawing.quick_figures(images, cfg, self.seed))
        return result

    def _check_coverage(self, loop: TrainingLoop, metrics: dict[str, Any], epoch: int) -> None:
        """Warn, naming the classes, when classes covered before are no longer covered."""
        covered = set(metrics["covered"])
        if self.previous is not None and len(covered) < len(self.previous):
            vanished = sorted(self.previous - covered)
            names = ", ".join(self._class_name(c) for c in vanished)
            loop.log(f"warning: epoch {epoch}: coverage fell from {len(self.previous)} to "
                     f"{len(covered)} of {metrics['num_classes']} classes (mode collapse?); "
                     f"vanished: {names}")
        self.previous = covered

    def _class_name(self, index: int) -> str:
        spec = DATASETS.get(self.dataset)
        return spec.classes[index] if spec and index < len(spec.classes) else str(index)

    def _pick_up_earlier(self, loop: TrainingLoop) -> None:
        """On a resumed run, continue from the best FD and coverage already recorded."""
        if self._resumed:
            return
        self._resumed = True
        earlier = [r for r in loop.folder.read_records() if r.get("kind") == "eval"]
        scores = [r.get("fd", r.get("kl_uniform")) for r in earlier]
        scores = [s for s in scores if s is not None]
        if scores:
            self.best_fd = min(scores)
        if earlier and "covered" in earlier[-1]:
            self.previous = set(earlier[-1]["covered"])

    def on_finish(self, loop: TrainingLoop) -> None:
        records = [r for r in loop.folder.read_records() if r.get("kind") == "eval"]
        if records:
            plot_eval(records, loop.folder.eval_plot)


def make_eval_observer(config: RunConfig) -> Observer | None:
    """The evaluation observer for a run, drawing as its condition says; None when
    evaluation is off, or (said on stderr: the run trains, unscored) when ganforge has no
    evaluator for its data set (e.g. a folder before `evaluator fit`, flowers102 before its
    evaluator is trained), has one fitted for a folder prepared otherwise, or one whose test
    split has become too small to score against."""
    if config.train.eval_every < 1:
        return None
    try:
        drawing = drawing_for(config)
        check_preparation(config)
        check_folder(drawing.dataset, config.data.data_dir)
    except ConfigError as exc:
        print(f"note: no evaluation during training: {exc}", file=sys.stderr)
        return None
    return EvalObserver(drawing.dataset, config.train.eval_every, config.train.eval_samples,
                        seed=config.train.seed, data_dir=config.data.data_dir, drawing=drawing)
