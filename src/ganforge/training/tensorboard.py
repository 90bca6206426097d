"""TensorBoard output for `ganforge train --tensorboard`: event files in RUN/tensorboard.

Per step: G and D loss, D(x) and D(G(z)) under "train/". Per epoch: every number of the
epoch summary (mean losses and, when the run evaluates, FD, coverage, ...) under "epoch/",
the sample grid as the image "samples", and any other PNG the summary names (evaluation
figures) as an image under "epoch/". Everything is logged against the generator step, and
the writer purges events at or after the first step it sees, so a resumed or replaced run
does not show stale points.

TensorBoard is an optional dependency (`pip install 'ganforge[tensorboard]'`); it is
imported only when an observer is made.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from ganforge.errors import ConfigError
from ganforge.runs.folder import TENSORBOARD
from ganforge.training.observers import LoopView, Observer

if TYPE_CHECKING:
    from torch.utils.tensorboard import SummaryWriter


STEP_TAGS = {"g_loss": "train/g_loss", "d_loss": "train/d_loss",
             "d_real": "train/d_real", "d_fake": "train/d_fake"}
LOG_FOLDER = TENSORBOARD
_SUMMARY_SKIP = frozenset({"epoch", "step"})


def require_tensorboard() -> None:
    """Raise a one-line ConfigError unless the tensorboard package can be imported."""
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        raise ConfigError(
            "--tensorboard needs the tensorboard package: pip install 'ganforge[tensorboard]'"
        ) from None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def read_image(path: Path) -> np.ndarray:
    """A PNG as an (H, W, 3) uint8 array."""
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


class TensorBoardObserver(Observer):
    """Writes a run's scalars and sample grids as TensorBoard event files."""

    def __init__(self, log_dir: Path | str | None = None, flush_secs: int = 30):
        require_tensorboard()
        self.log_dir = Path(log_dir) if log_dir is not None else None
        self.flush_secs = flush_secs
        self.writer: SummaryWriter | None = None

    def _open(self, loop: LoopView, first_step: int) -> SummaryWriter:
        """The writer, made on first use in RUN/tensorboard unless log_dir was given."""
        if self.writer is None:
            from torch.utils.tensorboard import SummaryWriter

            folder = self.log_dir or loop.folder.path / LOG_FOLDER
            self.log_dir = folder
            self.writer = SummaryWriter(log_dir=str(folder), purge_step=max(first_step, 0),
                                        flush_secs=self.flush_secs)
        return self.writer

    def on_records(self, loop: LoopView, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        writer = self._open(loop, int(records[0]["step"]))
        for record in records:
            for key, tag in STEP_TAGS.items():
                value = record.get(key)
                if _is_number(value):
                    writer.add_scalar(tag, value, record["step"])

    def on_epoch_end(self, loop: LoopView, summary: dict[str, Any]) -> None:
        step = int(summary.get("step", loop.state.step))
        writer = self._open(loop, step)
        for key, value in _flatten(summary).items():
            if key in _SUMMARY_SKIP:
                continue
            if _is_number(value):
                writer.add_scalar(f"epoch/{key}", value, step)
            elif isinstance(value, str) and value.endswith(".png") and Path(value).is_file():
                tag = "samples" if key == "grid" else f"epoch/{key}"
                writer.add_image(tag, read_image(Path(value)), step, dataformats="HWC")
        writer.flush()

    def on_finish(self, loop: LoopView) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def _flatten(summary: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested summary dicts as 'outer/inner' keys."""
    flat: dict[str, Any] = {}
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}/"))
        else:
            flat[name] = value
    return flat
