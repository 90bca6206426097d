"""Checkpoints as plain data: tensors in one safetensors file, everything else in JSON.

`step_0001234.safetensors` holds the weights (and optimizer tensors); `step_0001234.json`
holds step, epoch, the resolved config and the SHA-256 of the tensor file. The JSON is
written last, so a checkpoint without its JSON is incomplete. Nothing is ever unpickled.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load, save

from ganforge.errors import CheckpointError, GanforgeError
from ganforge.fileio import (
    atomic_write_bytes,
    atomic_write_json,
    own_run_files,
    sha256_bytes,
    sha256_file,
)
from ganforge.runs.checkpoint_check import (
    check_shapes,
    expected_shapes,
    read_header,
    read_record,
    tensor_file,
)
from ganforge.runs.folder import RunFolder

FORMAT = "ganforge-checkpoint"
VERSION = 1


def flatten_optimizer(prefix: str, opt: torch.optim.Optimizer) -> tuple[dict, list]:
    """An optimizer's state dict -> ({name: tensor}, JSON-able param_groups)."""
    state = opt.state_dict()
    tensors = {
        f"{prefix}.{index}.{key}": value
        for index, slots in state["state"].items()
        for key, value in slots.items()
        if isinstance(value, torch.Tensor)
    }
    return tensors, state["param_groups"]


def unflatten_optimizer(prefix: str, tensors: dict, param_groups: list) -> dict:
    """Inverse of flatten_optimizer: a state dict for `Optimizer.load_state_dict`."""
    state: dict[int, dict[str, torch.Tensor]] = {}
    for name, value in tensors.items():
        if name.startswith(prefix + "."):
            index, key = name[len(prefix) + 1 :].split(".", 1)
            state.setdefault(int(index), {})[key] = value
    return {"state": state, "param_groups": param_groups}


def checkpoint_name(step: int) -> str:
    return f"step_{step:07d}"


def write_checkpoint(folder: Path, name: str, tensors: dict[str, torch.Tensor], meta: dict) -> Path:
    """Write `name`.safetensors then `name`.json atomically; return the JSON's path."""
    blob = save({k: v.detach().cpu().contiguous() for k, v in tensors.items()})
    tensor_path, path = folder / f"{name}.safetensors", folder / f"{name}.json"
    existed = tensor_path.exists()
    with own_run_files():  # the run's own checkpoints/, which other commands never write
        atomic_write_bytes(tensor_path, blob)
        record = {**meta, "format": FORMAT, "version": VERSION,
                  "tensors": tensor_path.name, "sha256": sha256_bytes(blob)}
        try:
            atomic_write_json(path, record)
        except BaseException:
            if not existed:  # a tensor file without its record is no checkpoint
                tensor_path.unlink(missing_ok=True)
            raise
    return path


def read_checkpoint(path: Path | str) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """Read and verify a checkpoint given its .json or .safetensors path: the record, its
    config and every tensor shape are checked (see checkpoint_check) before the weights are
    read, and the weights against their SHA-256."""
    path = Path(path)
    _refuse_pickles(path)
    if path.suffix == ".safetensors":
        path = path.with_suffix(".json")
    if path.suffix != ".json":
        raise CheckpointError(f"{path}: not a ganforge checkpoint (expected .json or .safetensors)")
    meta = read_record(path)
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a ganforge checkpoint")
    if meta.get("version") != VERSION:
        raise CheckpointError(
            f"{path}: checkpoint format version {meta.get('version')!r:.40}, ganforge reads "
            f"{VERSION}")
    step = meta.get("step", 0)
    if type(step) is not int or not 0 <= step < 2**53:
        raise CheckpointError(f"{path}: 'step' must be a whole number 0 or more")
    tensor_path = tensor_file(path, meta.get("tensors"))
    shapes = expected_shapes(saved_config(meta, path), str(path))
    check_shapes(tensor_path, read_header(tensor_path), shapes)
    if sha256_file(tensor_path) != meta.get("sha256"):
        raise CheckpointError(f"{tensor_path}: SHA-256 mismatch: it does not match the "
                              f"SHA-256 in {path.name} (truncated or altered)")
    try:
        tensors = load(tensor_path.read_bytes())
    except SafetensorError as exc:
        raise CheckpointError(f"{tensor_path}: unreadable tensor file ({exc})") from None
    return meta, tensors


def saved_config(meta: dict[str, Any], path: Path | str):
    """The RunConfig a checkpoint record holds, through the same typed checks as a new one."""
    from ganforge.config import RunConfig

    if not isinstance(meta.get("config"), dict):
        raise CheckpointError(f"{path}: checkpoint holds no config")
    try:
        return RunConfig.from_dict(meta["config"], f"{path} config")
    except GanforgeError as exc:
        raise CheckpointError(f"{path}: checkpoint config not usable ({exc})") from None
    except (TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise CheckpointError(f"{path}: checkpoint config not usable "
                              f"({type(exc).__name__})") from None


PICKLE_SUFFIXES = (".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".bin")


def _refuse_pickles(path: Path) -> None:
    """ganforge never unpickles: refuse torch.save / pickle files with a clear message."""
    head = b""
    if path.is_file() and path.suffix not in (".json", ".safetensors"):
        with open(path, "rb") as fh:
            head = fh.read(2)
    if path.suffix.lower() == ".npz":
        raise CheckpointError(
            f"{path}: an .npz of arrays, not a run or checkpoint (give a run folder or a "
            "checkpoint's .json; to score samples in an .npz: ganforge evaluate --samples)")
    if path.suffix in PICKLE_SUFFIXES or head[:1] == b"\x80" or head == b"PK":
        raise CheckpointError(
            f"{path}: looks like a pickle/torch.save file; ganforge never unpickles files "
            "(checkpoints are .safetensors + .json)")


def list_checkpoints(run_dir: Path | str) -> list[Path]:
    """The step checkpoint JSON files of a run, by step, oldest first."""
    return sorted(RunFolder(run_dir).checkpoints.glob("step_*.json"), key=step_of)


def step_of(path: Path) -> float:
    """A checkpoint's step: from a step checkpoint's name, else from its record (`final`,
    `best`); one whose record cannot be read counts as the newest, so that resuming tries
    it first and reports it before falling back."""
    digits = path.stem.removeprefix("step_")
    if path.stem.startswith("step_") and digits.isdigit():
        return int(digits)
    try:
        step = json.loads(path.read_text(encoding="utf-8")).get("step")
    except (OSError, ValueError, AttributeError):
        return math.inf
    return step if type(step) is int else math.inf


def resumable_checkpoints(run_dir: Path | str) -> list[Path]:
    """Step checkpoints and `final` (the end of a run) by step, oldest first; `final` after a
    step checkpoint of its own step. A run trained on after it finished has step checkpoints
    newer than its `final`."""
    final = RunFolder(run_dir).checkpoints / "final.json"
    found = list_checkpoints(run_dir) + ([final] if final.exists() else [])
    return sorted(found, key=lambda p: (step_of(p), p.stem == "final"))


def newest_checkpoint(run_dir: Path | str) -> Path:
    found = resumable_checkpoints(run_dir)
    if not found:
        raise CheckpointError(f"{run_dir}: no checkpoints in {Path(run_dir) / 'checkpoints'}")
    return found[-1]


def newest_good_checkpoint(
    run_dir: Path | str, warn: Callable[[str], None],
    check: Callable[[Path, dict[str, Any], dict[str, torch.Tensor]], None] | None = None,
) -> tuple[Path, dict[str, Any], dict[str, torch.Tensor]]:
    """The newest checkpoint that verifies (and passes `check`, which raises CheckpointError);
    damaged or invalid newer ones are reported and skipped."""
    newest_checkpoint(run_dir)  # says so when there are none at all
    for path in reversed(resumable_checkpoints(run_dir)):
        try:
            meta, tensors = read_checkpoint(path)
            if check is not None:
                check(path, meta, tensors)
            return path, meta, tensors
        except CheckpointError as exc:
            warn(f"warning: {exc}; falling back to the previous checkpoint")
    raise CheckpointError(f"{run_dir}: no intact checkpoint to resume from")


def sub_state(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    """The tensors under `prefix.` with the prefix removed (a module's state dict)."""
    cut = len(prefix) + 1
    return {k[cut:]: v for k, v in tensors.items() if k.startswith(prefix + ".")}
