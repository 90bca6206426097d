"""The schema of a checkpoint's resume record: every field `restore_state` uses, checked
for type and range before any of it touches a run (an invalid record is then skipped on
resume like a corrupt checkpoint, and never truncates metrics.jsonl)."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganforge.errors import CheckpointError

_BIG = 2**53  # the largest whole number JSON carries exactly
_GROUP_NUMBERS = {"lr": (0.0, math.inf), "initial_lr": (0.0, math.inf), "eps": (0.0, 1.0),
                  "weight_decay": (0.0, math.inf)}
_SCALARS = (bool, int, float, str, type(None))


class _Bad(Exception):
    """A field that fails the schema (message: which and why)."""


def _whole(meta: dict, key: str, low: int, high: int = _BIG) -> int:
    value = meta.get(key)
    if type(value) is not int or not low <= value <= high:
        raise _Bad(f"'{key}' must be a whole number in [{low}, {high}]")
    return value


def _number(value: Any, what: str, low: float = -math.inf, high: float = math.inf) -> float:
    if type(value) not in (int, float) or not math.isfinite(value) or not low <= value <= high:
        raise _Bad(f"{what} must be a finite number in [{low}, {high}]")
    return value


def _epoch_sums(value: Any) -> None:
    if not isinstance(value, list) or len(value) != 3:
        raise _Bad("'epoch_sums' must be [g sum, d sum, count]")
    _number(value[0], "'epoch_sums'[0]")
    _number(value[1], "'epoch_sums'[1]")
    if type(value[2]) is not int or not 0 <= value[2] < _BIG:
        raise _Bad("'epoch_sums'[2] must be a count")


def _param_groups(key: str, value: Any) -> None:
    if not isinstance(value, list) or not 1 <= len(value) <= 64:
        raise _Bad(f"'{key}' must be a list of optimizer parameter groups")
    for i, group in enumerate(value):
        where = f"'{key}'[{i}]"
        if not isinstance(group, dict) or "lr" not in group:
            raise _Bad(f"{where} must be a parameter group with an lr")
        for name, item in group.items():
            if name in _GROUP_NUMBERS:
                _number(item, f"{where}.{name}", *_GROUP_NUMBERS[name])
            elif name == "betas":
                if not isinstance(item, list) or len(item) != 2:
                    raise _Bad(f"{where}.betas must be two numbers")
                for beta in item:
                    _number(beta, f"{where}.betas", 0.0, 1.0)
            elif name == "params":
                if not isinstance(item, list) or not all(
                        type(n) is int and 0 <= n < 2**31 for n in item):
                    raise _Bad(f"{where}.params must be parameter indices")
            elif not isinstance(item, _SCALARS):
                raise _Bad(f"{where}.{name} must be a plain value")


def _random_states(meta: dict) -> None:
    """Both random states must be accepted by a scratch generator of their kind."""
    python, numpy_state = meta.get("rng_python"), meta.get("rng_numpy")
    if not (isinstance(python, list) and len(python) == 3 and isinstance(python[1], list)
            and all(type(n) is int for n in python[1])):
        raise _Bad("'rng_python' is not a Python random state")
    if not (isinstance(numpy_state, list) and len(numpy_state) == 5
            and isinstance(numpy_state[1], list) and len(numpy_state[1]) == 624
            and all(type(n) is int and 0 <= n < 2**32 for n in numpy_state[1])):
        raise _Bad("'rng_numpy' is not a numpy random state")
    name, keys, pos, has_gauss, cached = numpy_state
    try:
        random.Random().setstate((python[0], tuple(python[1]), python[2]))
        np.random.RandomState().set_state(
            (name, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))
    except (TypeError, ValueError, OverflowError):
        raise _Bad("'rng_python' or 'rng_numpy' is not a valid random state") from None


def _optional(meta: dict) -> None:
    if "ema_updates" in meta:
        _whole(meta, "ema_updates", 0)
    if "world_size" in meta:
        _whole(meta, "world_size", 1, 1 << 20)
    data = meta.get("data", {"images": 0, "sha256": "0" * 64})
    if not isinstance(data, dict) or not {"images", "sha256"} <= set(data) or \
            type(data["images"]) is not int or not isinstance(data["sha256"], str) or \
            not isinstance(data.get("classes", []), list):
        raise _Bad("'data' must be the training split's image count, digest and classes")
    captions = meta.get("fixed_captions", [])
    if not isinstance(captions, list) or not all(isinstance(c, str) for c in captions):
        raise _Bad("'fixed_captions' must be a list of strings")
    summary = meta.get("summary", {})
    if not isinstance(summary, dict) or not all(isinstance(v, _SCALARS) for v in summary.values()):
        raise _Bad("'summary' must be a table of plain values")


def _tensors(tensors: dict[str, torch.Tensor]) -> None:
    """The random-state tensors exist with a generator state's size, and the fixed noise;
    a CUDA run's "rng.cuda" (optional: CPU runs have none) is a byte state too, whose size
    the CUDA generator checks when it is put back."""
    size = torch.Generator().get_state().numel()
    wanted = {"rng.torch": torch.get_rng_state().numel(), "rng.data": size,
              "rng.data_epoch": size, "rng.caption": size}
    for name, numel in wanted.items():
        value = tensors.get(name)
        if value is None or value.dtype != torch.uint8 or value.shape != (numel,):
            raise _Bad(f"tensor {name} is not a random generator's state")
    cuda = tensors.get("rng.cuda")
    if cuda is not None and (cuda.dtype != torch.uint8 or cuda.dim() != 1 or not cuda.numel()):
        raise _Bad("tensor rng.cuda is not a CUDA generator's state")
    noise = tensors.get("fixed_noise")
    if noise is None or noise.dim() != 2 or not noise.is_floating_point():
        raise _Bad("tensor fixed_noise is missing or not a batch of noise vectors")


def _records_agree(records: int, step: int, path: Path | str) -> None:
    """`records` must be where metrics.jsonl stood at `step`: its first `records` lines hold
    the step records of steps 1..step and no later line is of a step at or before it. So a
    lowered count (which resume would cut the file back to) is caught like a bad tensor."""
    from ganforge.runs.folder import METRICS, read_records, run_folder_of

    run = run_folder_of(Path(path))
    if run is None:
        return
    lines = read_records(run / METRICS)  # a bad line: one DataError naming it
    kept = [r.get("step") for r in lines[:records] if r.get("kind") == "step"]
    later = [r.get("step") for r in lines[records:]]
    if kept != list(range(1, step + 1)) or any(
            type(s) is int and s <= step for s in later):
        raise _Bad(f"'records' ({records}) does not match metrics.jsonl at step {step}")


def check_resume_record(meta: dict[str, Any], tensors: dict[str, torch.Tensor],
                        path: Path | str, records_now: int) -> None:
    """Refuse (CheckpointError, one line) a record `restore_state` could not use as it is;
    `records_now` is how many records metrics.jsonl holds (the checkpoint may know fewer)."""
    try:
        _tensors(tensors)
        _whole(meta, "step", 0)
        _whole(meta, "resume_epoch", 1)
        _whole(meta, "resume_batch", 0)
        _whole(meta, "records", 0, records_now)
        _records_agree(meta["records"], meta["step"], path)
        _epoch_sums(meta.get("epoch_sums"))
        _param_groups("opt_g_groups", meta.get("opt_g_groups"))
        _param_groups("opt_d_groups", meta.get("opt_d_groups"))
        _random_states(meta)
        _optional(meta)
    except _Bad as exc:
        raise CheckpointError(f"{path}: invalid resume record ({exc})") from None


def refuse_world_change(meta: dict[str, Any], world_size: int, batch: int, path: Path | str
                        ) -> None:
    """A resume in another number of processes than the run trained in is refused: the
    effective batch (and each epoch's shards) would change, as --batch-size would change it.
    Checkpoints written before the count was kept resume as before."""
    from ganforge.errors import ConfigError

    trained = meta.get("world_size")
    if trained is None or trained == world_size:
        return
    how = f"torchrun --nproc-per-node {trained}" if trained > 1 else "without torchrun"
    raise ConfigError(f"{path}: the run trained in {trained} process(es) (an effective batch "
                      f"of {trained * batch}); resume it the same way ({how}), not in "
                      f"{world_size}")
