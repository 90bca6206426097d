"""A run folder and the artefacts a training run leaves in it.

    config.toml          resolved settings
    metrics.jsonl        one JSON record per generator step
    samples/epoch_NNN.png  grid from fixed noise after each epoch
    progress.gif         all epoch grids
    losses.png           G and D loss, D(x) and D(G(z)) over steps
    checkpoints/         safetensors + JSON
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tomli_w

from ganforge.config import RunConfig, read_toml
from ganforge.errors import ConfigError
from ganforge.fileio import atomic_write_text

ARTEFACTS = ("config.toml", "metrics.jsonl", "samples", "progress.gif", "losses.png", "checkpoints",
             "report.html", "tensorboard", "eval.json", "eval.png")


class RunFolder:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.samples = self.path / "samples"
        self.checkpoints = self.path / "checkpoints"
        self.metrics = self.path / "metrics.jsonl"

    @classmethod
    def create(cls, path: Path | str, config: RunConfig, force: bool = False) -> RunFolder:
        """Start a new run in `path`; refuse a folder that already holds a run unless forced."""
        folder = cls(path)
        if folder.path.exists() and not folder.path.is_dir():
            raise ConfigError(f"{folder.path}: exists and is not a folder")
        if (folder.path / "config.toml").exists() and not force:
            raise ConfigError(
                f"{folder.path}: already holds a run; use --force to replace it or --out elsewhere"
            )
        if force:
            folder.clear()
        folder.samples.mkdir(parents=True, exist_ok=True)
        folder.checkpoints.mkdir(parents=True, exist_ok=True)
        folder.write_config(config)
        return folder

    def write_config(self, config: RunConfig) -> None:
        atomic_write_text(self.path / "config.toml", tomli_w.dumps(config.to_dict()))

    def clear(self) -> None:
        """Remove the artefacts of an earlier run (only ganforge's own files)."""
        for name in ARTEFACTS:
            target = self.path / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()

    def read_config(self) -> RunConfig:
        path = self.path / "config.toml"
        if not path.exists():
            raise ConfigError(f"{self.path}: not a run folder (no config.toml)")
        return RunConfig.from_dict(read_toml(path), str(path))

    def append_records(self, records: Iterable[dict[str, Any]]) -> None:
        lines = "".join(json.dumps(r) + "\n" for r in records)
        if lines:
            with open(self.metrics, "a", encoding="utf-8") as fh:
                fh.write(lines)

    def read_records(self) -> list[dict[str, Any]]:
        if not self.metrics.exists():
            return []
        with open(self.metrics, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]

    def count_records(self) -> int:
        if not self.metrics.exists():
            return 0
        with open(self.metrics, "rb") as fh:
            return sum(1 for line in fh if line.strip())

    def truncate_records(self, count: int) -> None:
        """Keep the first `count` records (those a resumed checkpoint knew of)."""
        lines = self.metrics.read_text(encoding="utf-8").splitlines(keepends=True) \
            if self.metrics.exists() else []
        if len(lines) < count:
            raise ConfigError(
                f"{self.metrics}: holds {len(lines)} records, the checkpoint expects {count}")
        atomic_write_text(self.metrics, "".join(lines[:count]))

    def sample_path(self, epoch: int) -> Path:
        return self.samples / f"epoch_{epoch:03d}.png"

    def sample_paths(self) -> list[Path]:
        return sorted(self.samples.glob("epoch_*.png"))

    def finish(self) -> None:
        """Draw the progress GIF and the loss plot from what the run wrote."""
        from ganforge.viz import make_gif, plot_losses

        frames = self.sample_paths()
        if frames:
            labels = [f"epoch {int(p.stem.split('_')[1])}" for p in frames]
            make_gif(frames, self.path / "progress.gif", labels=labels, scale=2)
        records = [r for r in self.read_records() if r.get("kind") == "step"]
        if records:
            plot_losses(records, self.path / "losses.png")


class ReadOnlyFolder(RunFolder):
    """The run folder as seen by ranks other than 0 in distributed training: no writes."""

    def append_records(self, records: Iterable[dict[str, Any]]) -> None:
        pass

    def write_config(self, config: RunConfig) -> None:
        pass

    def truncate_records(self, count: int) -> None:
        pass

    def finish(self) -> None:
        pass
