"""A run folder and the artefacts a training run leaves in it; the one place their names
are spelled (everything else asks RunFolder or these constants).

    config.toml          resolved settings
    metrics.jsonl        one JSON record per generator step (and per evaluation)
    samples/epoch_NNN.png  grid from fixed noise after each epoch
    captions.json        the fixed captions of a text-conditioned run's grids
    progress.gif         all epoch grids
    losses.png           G and D loss, D(x) and D(G(z)) over steps
    checkpoints/         safetensors + JSON (best.json: the best evaluated checkpoint)
    eval.json, eval.png  `ganforge evaluate`'s result, the in-training evaluations' plot
    report.html          `ganforge report`
    tensorboard/         event files of --tensorboard
    superseded/          lines set aside by a resume from an earlier checkpoint
                         (runs.superseded)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ganforge.config import RunConfig, read_toml
from ganforge.errors import ConfigError, DataError
from ganforge.fileio import (
    atomic_write_bytes,
    atomic_write_text,
    output_folder,
    own_run_files,
    raise_if_disk_full,
    remove_stale_temporaries,
)

CONFIG = "config.toml"
METRICS = "metrics.jsonl"
SAMPLES = "samples"
CHECKPOINTS = "checkpoints"
CAPTIONS = "captions.json"
PROGRESS_GIF = "progress.gif"
LOSSES_PLOT = "losses.png"
BEST = "best.json"  # in checkpoints/
EVAL = "eval.json"
EVAL_PLOT = "eval.png"
REPORT = "report.html"
TENSORBOARD = "tensorboard"
SUPERSEDED = "superseded"
ARTEFACTS = (CONFIG, METRICS, SAMPLES, CAPTIONS, PROGRESS_GIF, LOSSES_PLOT, CHECKPOINTS, REPORT,
             TENSORBOARD, EVAL, EVAL_PLOT, SUPERSEDED)


class RunFolder:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.config = self.path / CONFIG
        self.samples = self.path / SAMPLES
        self.checkpoints = self.path / CHECKPOINTS
        self.metrics = self.path / METRICS
        self.captions = self.path / CAPTIONS
        self.best = self.checkpoints / BEST
        self.eval = self.path / EVAL
        self.eval_plot = self.path / EVAL_PLOT

    @classmethod
    def create(cls, path: Path | str, config: RunConfig, force: bool = False) -> RunFolder:
        """Start a new run in `path`; refuse a folder that already holds a run unless forced."""
        folder = cls(path)
        if folder.path.exists() and not folder.path.is_dir():
            raise ConfigError(f"{folder.path}: exists and is not a folder")
        if folder.config.exists() and not force:
            raise ConfigError(
                f"{folder.path}: already holds a run; use --force (force=True in Python) to "
                "replace it or --out elsewhere"
            )
        if force:
            folder.clear()
        output_folder(folder.samples)  # under a file, read-only: one line
        output_folder(folder.checkpoints)
        folder.write_config(config)
        return folder

    def write_config(self, config: RunConfig) -> None:
        with own_run_files():
            atomic_write_text(self.config, toml_text(config.to_dict()))

    def clear(self) -> None:
        """Remove the artefacts of an earlier run (only ganforge's own files)."""
        self.remove_stale_temporaries()
        for name in ARTEFACTS:
            target = self.path / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()

    def remove_stale_temporaries(self) -> list[Path]:
        """Remove what interrupted atomic writes (kill -9) left in the run's own folders."""
        return [p for folder in (self.path, self.checkpoints, self.samples) if folder.is_dir()
                for p in remove_stale_temporaries(folder)]

    def read_config(self) -> RunConfig:
        if not self.config.exists():
            raise ConfigError(f"{self.path}: not a run folder (no {CONFIG})")
        return RunConfig.from_dict(read_toml(self.config), str(self.config))

    def is_run(self) -> bool:
        """Whether the folder holds a run (its config)."""
        return self.config.is_file()

    def append_records(self, records: Iterable[dict[str, Any]]) -> None:
        """Append whole lines; a failed write (disk full) is cut back to the last whole one."""
        lines = "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")
        if not lines:
            return
        size = self.metrics.stat().st_size if self.metrics.exists() else 0
        try:
            with open(self.metrics, "ab") as fh:
                fh.write(lines)
        except OSError as exc:
            os.truncate(self.metrics, size)
            raise_if_disk_full(exc, self.metrics, len(lines))
            raise

    def read_records(self) -> list[dict[str, Any]]:
        return read_records(self.metrics)

    def count_records(self) -> int:
        if not self.metrics.exists():
            return 0
        with open(self.metrics, "rb") as fh:
            return sum(1 for line in fh if line.strip())

    def truncate_records(self, count: int) -> None:
        """Keep the first `count` records (those a resumed checkpoint knew of); each must be a
        JSON record (else a one-line DataError and the file as it was)."""
        read_records(self.metrics, count)  # refuses bad lines before anything is written
        data = self.metrics.read_bytes() if self.metrics.exists() else b""
        kept, end = 0, 0
        for line in data.splitlines(keepends=True):
            if kept == count:
                break
            end += len(line)
            kept += bool(line.strip())
        if kept < count:
            raise ConfigError(
                f"{self.metrics}: holds {kept} records, the checkpoint expects {count}")
        if end < len(data):
            with own_run_files():
                atomic_write_bytes(self.metrics, data[:end])

    def sample_path(self, epoch: int) -> Path:
        return self.samples / f"epoch_{epoch:03d}.png"

    def sample_paths(self) -> list[Path]:
        return sorted(self.samples.glob("epoch_*.png"))

    def finish(self) -> None:
        """Draw the progress GIF and the loss plot from what the run wrote; a grid that cannot
        be read (damaged, emptied, a folder) is left out of the GIF with a warning line."""
        from ganforge.viz import make_gif, plot_losses, unreadable_image

        frames = []
        for path in self.sample_paths():
            why = unreadable_image(path)
            if why is None:
                frames.append(path)
            else:
                print(f"warning: {path}: {why}; left out of {PROGRESS_GIF}", file=sys.stderr)
        if frames:
            labels = [f"epoch {int(p.stem.split('_')[1])}" for p in frames]
            make_gif(frames, self.path / PROGRESS_GIF, labels=labels, scale=2)
        records = [r for r in self.read_records() if r.get("kind") == "step"]
        if records:
            plot_losses(records, self.path / LOSSES_PLOT)


def run_folder_of(path: Path | str) -> Path | None:
    """The run folder `path` is (a folder holding config.toml) or whose checkpoint it is (a
    file in the run folder or in its checkpoints/); None when it belongs to no run."""
    path = Path(path)
    candidates = [path] if path.is_dir() else [path.parent] + (
        [path.parent.parent] if path.parent.name == CHECKPOINTS else [])
    for folder in candidates:
        if RunFolder(folder).is_run():
            return folder
    return None


def read_records(path: Path, count: int | None = None) -> list[dict[str, Any]]:
    """metrics.jsonl as dicts (the first `count` only, when given); an unfinished last line
    (run still writing) is skipped; a bad line (not JSON, not an object, or values of the
    wrong types: _wrong_type) is a DataError naming the file and line."""
    if not path.is_file():
        return []
    lines = path.read_bytes().split(b"\n")
    records: list[dict[str, Any]] = []
    for number, line in enumerate(lines, 1):
        if count is not None and len(records) >= count:
            break
        if not line.strip():
            continue
        try:
            record = json.loads(line.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            if number == len(lines):  # no newline yet: the writer is mid-line
                break
            raise DataError(f"{path}:{number}: not a JSON record") from None
        if not isinstance(record, dict):
            raise DataError(f"{path}:{number}: expected a JSON object")
        wrong = _wrong_type(record)
        if wrong is not None:
            raise DataError(f"{path}:{number}: {wrong}")
        records.append(record)
    return records


STAT_NAMES = ("d_loss", "g_loss", "d_real", "d_fake")  # a step record's statistics


def _wrong_type(record: dict[str, Any]) -> str | None:
    """What is of the wrong type in a record (each is optional, null allowed): `kind` a
    string, `step` and `epoch` whole numbers, a step record's statistics numbers."""
    kind = record.get("kind", "step")
    checks = [("kind", str, "a string"), ("step", int, "a whole number"),
              ("epoch", int, "a whole number")]
    checks += [(k, int | float, "a number") for k in STAT_NAMES] if kind == "step" else []
    for key, kinds, what in checks:
        value = record.get(key)
        if value is not None and (not isinstance(value, kinds) or isinstance(value, bool)):
            shown = {dict: "an object", list: "a list"}.get(type(value)) or json.dumps(value)
            return f"'{key}' must be {what} or null, not {shown[:40]}"
    return None


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


def toml_text(data: dict[str, Any]) -> str:
    """`data` (a config's plain dict: values, lists and tables of them) as TOML, through
    tomli_w where it is installed, else through `plain_toml`: tomli_w is imported here, not
    with this module, so a machine that has torch but not tomli_w (a bare GPU image) trains."""
    try:
        import tomli_w
    except ImportError:
        return plain_toml(data)
    return tomli_w.dumps(data)


def plain_toml(data: dict[str, Any], table: str = "") -> str:
    """A small TOML writer for what toml_text writes: the values of `data` first, then each
    table under its dotted name; TypeError for anything TOML has no form for."""
    lines = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in data.items()
             if not isinstance(v, dict)]
    for key, value in data.items():
        if isinstance(value, dict):
            name = f"{table}.{_toml_key(key)}" if table else _toml_key(key)
            lines += ["", f"[{name}]", plain_toml(value, name).rstrip("\n")]
    return "\n".join(lines).lstrip("\n") + "\n"


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


def _toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, and DEL must be escaped too."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):  # a float's repr (1.0, 1e-05, inf, nan) is TOML's
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__} {value!r}")
