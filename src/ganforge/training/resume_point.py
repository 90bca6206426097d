"""Where a resume starts, and what becomes of the run's line after that point: the
checkpoint given, else the newest that passes every check; once the resume goes on from
it (a run at its end is left as it is), the line after it is set aside (runs.superseded)
before metrics.jsonl is cut back to the records the checkpoint knew of. Under torchrun
only the writer (rank 0) moves anything; the other ranks wait for it to put back an
unfinished set-aside before they choose, so that every rank starts from the same
checkpoint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ganforge.errors import CheckpointError
from ganforge.runs.checkpoint import newest_good_checkpoint, read_checkpoint, resumable_checkpoints
from ganforge.runs.folder import RunFolder
from ganforge.runs.superseded import put_back_unfinished, set_aside, wait_for_put_back
from ganforge.runtime.ranks import writer_process
from ganforge.training.resume_record import check_resume_record


def starting_point(folder: RunFolder, checkpoint: Path | str | None,
                   warn: Callable[[str], None]) -> tuple[Path, dict[str, Any], dict]:
    """(path, record, tensors) of the checkpoint to resume `folder` from: `checkpoint` when
    given, else the newest usable one; what interrupted writes and set-asides left is
    cleaned up or put back first."""
    folder.remove_stale_temporaries()
    if writer_process():
        for line in put_back_unfinished(folder):
            warn(line)
    else:
        wait_for_put_back(folder)
    records = folder.count_records()

    def usable(path: Path, meta: dict, tensors: dict) -> None:
        check_resume_record(meta, tensors, path, records)

    if checkpoint is None:
        return _newest_usable(folder, warn, usable)
    path, (meta, tensors) = Path(checkpoint), read_checkpoint(checkpoint)
    usable(path, meta, tensors)
    return path, meta, tensors


def _newest_usable(folder: RunFolder, warn, usable):
    """The newest checkpoint that passes `usable`; when none does because metrics.jsonl is
    gone, the error says that rather than blaming the checkpoints."""
    try:
        return newest_good_checkpoint(folder.path, warn, usable)
    except CheckpointError:
        if not folder.metrics.exists() and resumable_checkpoints(folder.path):
            raise CheckpointError(f"{folder.metrics}: missing; the checkpoints continue the "
                                  f"records it held (put it back, or start a new run)") from None
        raise


def go_on_from(loop: Any, meta: dict[str, Any], path: Path,
               warn: Callable[[str], None]) -> None:
    """Before `loop` (a TrainingLoop put back from checkpoint `path`) trains on: the writer
    sets the run's later line aside and says so, then metrics.jsonl is cut back to the
    records the checkpoint knew of (a no-op on the other ranks' read-only folder)."""
    if loop.dist.is_writer:
        moved = set_aside(RunFolder(loop.folder.path), meta["step"], meta["resume_epoch"],
                          path)
        if moved is not None:
            warn(moved.line(meta["step"]))
    loop.folder.truncate_records(meta["records"])
