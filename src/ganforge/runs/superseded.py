"""A resume from a checkpoint older than others in its run folder goes back on purpose:
metrics.jsonl is cut back to that checkpoint and training goes on from there. The line it
leaves behind is first moved aside, never deleted, so that the run folder holds one line
of training and every lookup of its newest checkpoint (resume, sample, evaluate, serve,
report, export) sees only that line.

RUN/superseded/after-step-X-to-Y_TIME/ is a run folder of its own: config.toml and
metrics.jsonl copied as they were before the cut, the checkpoints after step X (step ones
and `final`, and `best` with them: record and tensor file), the sample grids of the epochs
the resume draws again, the pictures drawn from the whole line (progress.gif, losses.png,
eval.png, report.html), eval.json when it scored a later checkpoint, and superseded.json
saying what came from where. TensorBoard event files stay (a resume with --tensorboard
purges the later steps from what TensorBoard shows), as do the run's captions.

The folder is filled as RUN/superseded/.partial-NAME and renamed once complete; every file
is moved with os.replace inside the run's own file system, a checkpoint's record before its
tensor file (a record without its tensors is never left in checkpoints/). metrics.jsonl is
cut only after the rename, so a resume killed on the way leaves either the run as it was
with some of its later checkpoints in a .partial folder (each one left in checkpoints/
still matches metrics.jsonl, and the next resume puts the others back before it chooses),
or the line set aside with metrics.jsonl not yet cut (which the next resume cuts).
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from ganforge.errors import DataError, OutputError
from ganforge.fileio import TEMP_PATTERN, atomic_write_json, output_folder, read_json
from ganforge.runs.checkpoint import resumable_checkpoints, step_of
from ganforge.runs.folder import (
    CHECKPOINTS,
    CONFIG,
    EVAL_PLOT,
    LOSSES_PLOT,
    METRICS,
    PROGRESS_GIF,
    REPORT,
    SAMPLES,
    SUPERSEDED,
    RunFolder,
)

PARTIAL = ".partial-"  # a set-aside folder being filled (or left unfinished by a kill)
MARKER = "superseded.json"
FORMAT = "ganforge-superseded"
COPIED = (CONFIG, METRICS)  # copied, not moved: the run keeps them (metrics.jsonl cut back)
PICTURES = (PROGRESS_GIF, LOSSES_PLOT, EVAL_PLOT, REPORT)  # drawn from the whole line


@dataclass(frozen=True)
class SetAside:
    """What set_aside moved: the folder it made, the checkpoints' steps, how many grids."""

    folder: Path
    steps: list[float]
    grids: int

    def line(self, step: int) -> str:
        """The one line that says what was moved where."""
        last = _last_known(self.steps)
        upto = "" if last is None else f" up to step {last}"
        grids = f", {self.grids} sample grid(s)" if self.grids else ""
        return (f"set aside the run's line after step {step} ({len(self.steps)} "
                f"checkpoint(s){upto}, metrics.jsonl as it was{grids}) in {self.folder}")


def later_checkpoints(run: Path, step: int) -> list[Path]:
    """The checkpoints after `step` that a resume or a lookup of the newest would take (step
    ones and `final`), newest first, with `best` when it is later too; none when only `best`
    is (a run killed after evaluating, before its next step checkpoint: training again
    through that step writes it again). One whose step cannot be read counts as later."""
    line = [p for p in resumable_checkpoints(run) if step_of(p) > step]
    best = RunFolder(run).best
    if line and best.is_file() and step_of(best) > step:
        line.append(best)
    return sorted(line, key=step_of, reverse=True)


def later_grids(run: Path, epoch: int) -> list[Path]:
    """samples/epoch_NNN.png of the epochs from `epoch` (the resume's first) on."""
    digits = [(p, p.stem.removeprefix("epoch_")) for p in RunFolder(run).sample_paths()]
    return [p for p, n in digits if n.isdigit() and int(n) >= epoch]


def _scored_later(path: Path, step: int) -> bool:
    """Whether eval.json (`ganforge evaluate`'s) scored a checkpoint after `step`."""
    try:
        result = read_json(path, 1 << 24, "evaluation result")
    except DataError:  # unreadable: nothing says it is the line's
        return False
    scored = result.get("step") if isinstance(result, dict) else None
    return type(scored) is int and scored > step


def _plan(run: RunFolder, later: list[Path], step: int, epoch: int) -> list[Path]:
    """What to move, in order: each later checkpoint's record then its tensor file (newest
    first), the later grids, the pictures, and eval.json when it scored a later step."""
    moves: list[Path] = []
    for record in later:
        moves += [record, record.with_suffix(".safetensors")]
    moves += later_grids(run.path, epoch) + [run.path / name for name in PICTURES]
    if run.eval.is_file() and _scored_later(run.eval, step):
        moves.append(run.eval)
    return [p for p in moves if os.path.lexists(p)]


def _last_known(steps: list[float]) -> int | None:
    """The last of `steps` that could be read (an unreadable one's step_of is inf)."""
    known = [int(s) for s in steps if s != math.inf]
    return max(known) if known else None


def _name(step: int, steps: list[float], now: float | None) -> str:
    last = _last_known(steps)
    upto = "" if last is None else f"-to-{last}"
    return f"after-step-{step}{upto}_{time.strftime('%Y%m%d-%H%M%S', time.localtime(now))}"


def _free(home: Path, name: str, own: Path | None = None) -> str:
    """`name`, or name-2, name-3, ...: the first that names no folder in `home` yet, neither
    finished nor partial (`own`, the partial folder being finished, does not count)."""
    names = itertools.chain([name], (f"{name}-{i}" for i in itertools.count(2)))
    return next(n for n in names if not any(
        os.path.lexists(home / p) and home / p != own for p in (n, PARTIAL + n)))


def _copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    with open(target, "rb+") as fh:
        os.fsync(fh.fileno())


def _fill(run: RunFolder, partial: Path, moves: list[Path]) -> list[str]:
    """Copy config.toml and metrics.jsonl into `partial`, then move `moves` there, each to
    its place relative to the run; returns the moved files' relative paths."""
    partial.mkdir()
    for sub in (CHECKPOINTS, SAMPLES):
        (partial / sub).mkdir()
    for name in COPIED:
        if (run.path / name).is_file():
            _copy(run.path / name, partial / name)
    moved = []
    for path in moves:
        relative = path.relative_to(run.path)
        os.replace(path, partial / relative)
        moved.append(relative.as_posix())
    return moved


def set_aside(run: RunFolder, step: int, epoch: int, source: Path | str,
              now: float | None = None) -> SetAside | None:
    """Move the line after checkpoint `source` (of `step`; the resume goes on from `epoch`)
    into RUN/superseded/ as the module docstring says; None when nothing is later. An error
    puts back what was moved and is one line (OutputError); metrics.jsonl is left whole."""
    later = later_checkpoints(run.path, step)
    if not later:
        return None
    steps, moves = [step_of(p) for p in later], _plan(run, later, step, epoch)
    home = output_folder(run.path / SUPERSEDED)
    name = _free(home, _name(step, steps, now))
    partial = home / (PARTIAL + name)
    try:
        moved = _fill(run, partial, moves)
        atomic_write_json(partial / MARKER, {
            "format": FORMAT, "resumed_from": str(source), "step": step,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(now)),
            "copied": [n for n in COPIED if (partial / n).is_file()], "moved": moved})
        os.replace(partial, home / name)
    except BaseException as exc:
        _put_back_quietly(run, partial)
        if isinstance(exc, OSError):
            raise OutputError(f"{run.path}: cannot set its line after step {step} aside in "
                              f"{home} ({exc.strerror or exc}); the run is left as it "
                              "was") from None
        raise
    grids = sum(1 for m in moved if m.startswith(f"{SAMPLES}/"))
    return SetAside(home / name, steps, grids)


def _put_back_quietly(run: RunFolder, partial: Path) -> None:
    """put_back after a failed set_aside; what cannot go back now the next resume puts back."""
    if partial.is_dir():
        try:
            put_back(run, partial)
        except OSError:
            pass


def _order(path: Path) -> tuple[bool, str]:
    """Tensor files, grids and pictures before checkpoint records."""
    return (path.suffix == ".json" and path.parent.name == CHECKPOINTS, str(path))


def put_back(run: RunFolder, partial: Path) -> Path | None:
    """Move what the unfinished `partial` holds back to its place in the run and remove it
    (its copies and marker with it). A file that cannot go back, since the run has one of
    that name again, stays: the folder is then finished as a set-aside one (it is
    self-consistent: metrics.jsonl was copied before anything moved) and returned."""
    left = []
    for path in sorted((p for p in partial.rglob("*") if not p.is_dir()), key=_order):
        relative = path.relative_to(partial)
        if relative.name in (*COPIED, MARKER) and len(relative.parts) == 1 or \
                TEMP_PATTERN.fullmatch(path.name):
            continue
        target = run.path / relative
        if os.path.lexists(target):
            left.append(path)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    if not left:
        shutil.rmtree(partial)
        return None
    home = partial.parent
    finished = home / _free(home, partial.name.removeprefix(PARTIAL), own=partial)
    os.replace(partial, finished)
    return finished


def unfinished(run: RunFolder) -> list[Path]:
    """The .partial folders in RUN/superseded/ (a set-aside cut short by a kill)."""
    home = run.path / SUPERSEDED
    return sorted(p for p in home.glob(PARTIAL + "*") if p.is_dir()) if home.is_dir() else []


def put_back_unfinished(run: RunFolder) -> list[str]:
    """put_back every unfinished set-aside; the lines saying what became of each."""
    said = []
    for partial in unfinished(run):
        kept = put_back(run, partial)
        said.append(f"put back what an unfinished set-aside had moved into {partial}" +
                    (f" (what the run has again stays in {kept})" if kept else ""))
    return said


def wait_for_put_back(run: RunFolder, seconds: float = 60.0) -> None:
    """Under torchrun, the ranks that write nothing wait (at most `seconds`) for the writer
    to put back an unfinished set-aside, so that every rank chooses the same checkpoint."""
    deadline = time.monotonic() + seconds
    while unfinished(run) and time.monotonic() < deadline:
        time.sleep(0.1)
