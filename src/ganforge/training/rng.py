"""The process-wide random streams a run draws from (torch's, numpy's and Python's, and on
CUDA the device's own generator, from which noise and dropout masks made there are drawn),
as a checkpoint keeps them: torch's states as tensors, the other two as JSON.

The CUDA state ("rng.cuda") is kept only by runs on a CUDA device and put back only there:
a checkpoint written on CPU (without it) resumes anywhere, and a CPU run's streams are
those it always had."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch


def global_rng_state(device: torch.device | None = None) -> dict[str, Any]:
    """{"tensors": {"rng.torch": ..., and on a CUDA `device` "rng.cuda": ...}, "meta":
    {"rng_python": ..., "rng_numpy": ...}}."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    tensors = {"rng.torch": torch.get_rng_state()}
    if device is not None and device.type == "cuda":
        tensors["rng.cuda"] = torch.cuda.get_rng_state(device)
    return {"tensors": tensors,
            "meta": {"rng_python": _jsonable(random.getstate()),
                     "rng_numpy": [name, keys.tolist(), pos, has_gauss, cached]}}


def set_global_rng_state(state: dict[str, Any], device: torch.device | None = None) -> None:
    """The inverse of global_rng_state: the CUDA state goes back to a CUDA `device` when the
    checkpoint has one (else that generator keeps the seed's stream)."""
    tensors, meta = state["tensors"], state["meta"]
    torch.set_rng_state(tensors["rng.torch"])
    if device is not None and device.type == "cuda" and "rng.cuda" in tensors:
        torch.cuda.set_rng_state(tensors["rng.cuda"], device)
    random.setstate(_tupled(meta["rng_python"]))
    name, keys, pos, has_gauss, cached = meta["rng_numpy"]
    np.random.set_state((name, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))


def _jsonable(value: Any) -> Any:
    return [_jsonable(v) for v in value] if isinstance(value, (tuple, list)) else value


def _tupled(value: Any) -> Any:
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value
