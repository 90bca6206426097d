"""Checkpoints as plain data: tensors in one safetensors file, everything else in JSON.

`step_0001234.safetensors` holds the weights (and optimizer tensors); `step_0001234.json`
holds step, epoch, the resolved config and the SHA-256 of the tensor file. The JSON is
written last, so a checkpoint without its JSON is incomplete. Nothing is ever unpickled.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load, save

from ganforge.errors import CheckpointError
from ganforge.fileio import atomic_write_bytes, atomic_write_json, sha256_bytes, sha256_file

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
    atomic_write_bytes(folder / f"{name}.safetensors", blob)
    record = {**meta, "format": FORMAT, "version": VERSION,
              "tensors": f"{name}.safetensors", "sha256": sha256_bytes(blob)}
    path = folder / f"{name}.json"
    atomic_write_json(path, record)
    return path


def read_checkpoint(path: Path | str) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """Read and verify a checkpoint given its .json or .safetensors path."""
    path = Path(path)
    _refuse_pickles(path)
    if path.suffix == ".safetensors":
        path = path.with_suffix(".json")
    if path.suffix != ".json":
        raise CheckpointError(f"{path}: not a ganforge checkpoint (expected .json or .safetensors)")
    try:
        meta = json.loads(path.read_text())
    except FileNotFoundError:
        raise CheckpointError(f"{path}: checkpoint not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise CheckpointError(f"{path}: checkpoint metadata is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a ganforge checkpoint")
    if meta.get("version") != VERSION:
        raise CheckpointError(
            f"{path}: checkpoint format version {meta.get('version')}, ganforge reads {VERSION}"
        )
    tensor_path = path.parent / meta["tensors"]
    if not tensor_path.exists():
        raise CheckpointError(f"{tensor_path}: tensor file missing")
    if sha256_file(tensor_path) != meta.get("sha256"):
        raise CheckpointError(f"{tensor_path}: SHA-256 mismatch (truncated or altered)")
    try:
        tensors = load(tensor_path.read_bytes())
    except SafetensorError as exc:
        raise CheckpointError(f"{tensor_path}: unreadable tensor file ({exc})") from None
    return meta, tensors


PICKLE_SUFFIXES = (".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".bin")


def _refuse_pickles(path: Path) -> None:
    """ganforge never unpickles: refuse torch.save / pickle files with a clear message."""
    head = b""
    if path.is_file() and path.suffix not in (".json", ".safetensors"):
        with open(path, "rb") as fh:
            head = fh.read(2)
    if path.suffix in PICKLE_SUFFIXES or head[:1] == b"\x80" or head == b"PK":
        raise CheckpointError(
            f"{path}: looks like a pickle/torch.save file; ganforge never unpickles files "
            "(checkpoints are .safetensors + .json)")


def list_checkpoints(run_dir: Path | str) -> list[Path]:
    """The checkpoint JSON files of a run, oldest first."""
    return sorted((Path(run_dir) / "checkpoints").glob("step_*.json"))


def resumable_checkpoints(run_dir: Path | str) -> list[Path]:
    """Step checkpoints oldest first, then `final` (the end of the run) if present."""
    final = Path(run_dir) / "checkpoints" / "final.json"
    return list_checkpoints(run_dir) + ([final] if final.exists() else [])


def newest_checkpoint(run_dir: Path | str) -> Path:
    found = resumable_checkpoints(run_dir)
    if not found:
        raise CheckpointError(f"{run_dir}: no checkpoints in {Path(run_dir) / 'checkpoints'}")
    return found[-1]


def newest_good_checkpoint(
    run_dir: Path | str, warn: Callable[[str], None]
) -> tuple[Path, dict[str, Any], dict[str, torch.Tensor]]:
    """The newest checkpoint that verifies; damaged newer ones are reported and skipped."""
    newest_checkpoint(run_dir)  # says so when there are none at all
    for path in reversed(resumable_checkpoints(run_dir)):
        try:
            return (path, *read_checkpoint(path))
        except CheckpointError as exc:
            warn(f"warning: {exc}; falling back to the previous checkpoint")
    raise CheckpointError(f"{run_dir}: no intact checkpoint to resume from")


def sub_state(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    """The tensors under `prefix.` with the prefix removed (a module's state dict)."""
    cut = len(prefix) + 1
    return {k[cut:]: v for k, v in tensors.items() if k.startswith(prefix + ".")}
