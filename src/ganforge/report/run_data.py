"""Everything a report needs from one run folder, read once and checked: settings, step and
evaluation records, sample grids per epoch, the best checkpoint's epoch and, for
text-conditioned runs, the caption table. Works on finished runs and on runs in progress."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ganforge.config import read_toml
from ganforge.errors import ConfigError, DataError
from ganforge.runs.folder import CONFIG, RunFolder, read_records
from ganforge.viz import unreadable_image


@dataclass
class Caption:
    caption: str
    image: Path  # absolute path inside the run folder


@dataclass
class RunData:
    path: Path
    name: str
    settings: dict[str, Any]  # config.toml as written by the run
    steps: list[dict[str, Any]] = field(default_factory=list)
    evals: list[dict[str, Any]] = field(default_factory=list)
    samples: dict[int, Path] = field(default_factory=dict)  # epoch -> grid PNG (readable)
    unreadable: dict[Path, str] = field(default_factory=dict)  # grids left out, and why
    best: dict[str, Any] | None = None  # checkpoints/best.json (its "epoch", "summary")
    captions: list[Caption] | None = None
    evaluated: dict[str, Any] | None = None  # eval.json: the last `ganforge evaluate`

    def setting(self, section: str, key: str, default: Any = None) -> Any:
        """One value of config.toml, or `default` when absent."""
        value = self.settings.get(section, {})
        return value.get(key, default) if isinstance(value, dict) else default

    @property
    def best_epoch(self) -> int | None:
        epoch = (self.best or {}).get("epoch")
        return epoch if isinstance(epoch, int) and not isinstance(epoch, bool) else None

    @property
    def epochs_done(self) -> int:
        """The highest epoch seen in records or sample grids (0 before the first step)."""
        epochs = [r["epoch"] for r in self.steps if isinstance(r.get("epoch"), int)]
        return max([*epochs, *self.samples, 0])

    @property
    def last_step(self) -> int:
        return max([r["step"] for r in self.steps if isinstance(r.get("step"), int)] + [0])


def _warn(line: str) -> None:
    print(line, file=sys.stderr)


def load_run(path: Path | str, warn: Callable[[str], None] = _warn) -> RunData:
    """Read a run folder; a folder that holds no run is a ConfigError naming it. A sample grid
    that cannot be read (damaged, emptied, a folder) is left out, with a `warn` line."""
    root = Path(path)
    if root.is_file():
        raise ConfigError(f"{root}: a file, not a run folder (give the folder that holds "
                          f"{CONFIG})")
    if not root.is_dir():
        raise ConfigError(f"{root}: no such run folder")
    folder = RunFolder(root)
    if not folder.is_run():
        raise ConfigError(f"{root}: not a ganforge run folder (no {CONFIG})")
    steps, evals = split_records(read_records(folder.metrics))
    grids = sample_grids(folder.samples)
    unreadable = {p: why for p in grids.values() if (why := unreadable_image(p)) is not None}
    for grid, why in unreadable.items():
        warn(f"warning: {grid}: {why}; skipped")
    return RunData(
        path=root,
        name=root.resolve().name,
        settings=read_toml(folder.config),
        steps=steps,
        evals=evals,
        samples={e: p for e, p in grids.items() if p not in unreadable},
        unreadable=unreadable,
        best=read_best(folder.best),
        captions=read_captions(root),
        evaluated=read_evaluated(folder.eval, warn),
    )


def read_evaluated(path: Path, warn: Callable[[str], None]) -> dict[str, Any] | None:
    """`ganforge evaluate`'s last result (eval.json), or None: none written, or one that is
    not an evaluation (left out with a `warn` line)."""
    if not path.is_file():
        return None
    try:
        result = read_json(path)
    except DataError as exc:
        warn(f"warning: {exc}; skipped")
        return None
    if not (isinstance(result, dict) and isinstance(result.get("metrics"), dict)
            and isinstance(result.get("real"), dict)):
        warn(f"warning: {path}: not an evaluation result; skipped")
        return None
    return result


def split_records(records: list[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
    """(step records, evaluation records); records without a kind count as steps."""
    steps = [r for r in records if r.get("kind", "step") == "step"]
    evals = [r for r in records if r.get("kind") == "eval"]
    return steps, evals


def sample_grids(folder: Path) -> dict[int, Path]:
    """epoch -> samples/epoch_NNN.png, in epoch order."""
    grids = {}
    for path in folder.glob("epoch_*.png"):
        number = path.stem.split("_", 1)[1]
        if number.isdigit():
            grids[int(number)] = path
    return dict(sorted(grids.items()))


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise DataError(f"{path}: not valid JSON") from None


def read_best(path: Path) -> dict[str, Any] | None:
    """The best checkpoint's metadata, or None when the run keeps no best checkpoint."""
    if not path.is_file():
        return None
    best = read_json(path)
    if not isinstance(best, dict):
        raise DataError(f"{path}: expected a JSON object")
    return best


def read_captions(root: Path) -> list[Caption] | None:
    """captions.json: [{"caption": str, "image": "samples/..."}], images inside the run."""
    path = RunFolder(root).captions
    if not path.is_file():
        return None
    entries = read_json(path)
    if not isinstance(entries, list):
        raise DataError(f"{path}: expected a list of {{caption, image}} objects")
    captions = []
    inside = root.resolve()
    for index, entry in enumerate(entries):
        if not (isinstance(entry, dict) and isinstance(entry.get("caption"), str)
                and isinstance(entry.get("image"), str)):
            raise DataError(f"{path}: entry {index} needs a string caption and image")
        image = (root / entry["image"]).resolve()
        if not image.is_relative_to(inside):
            raise DataError(f"{path}: entry {index} image {entry['image']!r} is outside the run")
        captions.append(Caption(entry["caption"], image))
    return captions
