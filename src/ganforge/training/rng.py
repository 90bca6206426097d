"""The process-wide random streams a run draws from (torch's, numpy's and Python's), as a
checkpoint keeps them: torch's state as a tensor, the other two as JSON."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch


def global_rng_state() -> dict[str, Any]:
    """{"tensors": {"rng.torch": ...}, "meta": {"rng_python": ..., "rng_numpy": ...}}."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return {"tensors": {"rng.torch": torch.get_rng_state()},
            "meta": {"rng_python": _jsonable(random.getstate()),
                     "rng_numpy": [name, keys.tolist(), pos, has_gauss, cached]}}


def set_global_rng_state(state: dict[str, Any]) -> None:
    """The inverse of global_rng_state."""
    tensors, meta = state["tensors"], state["meta"]
    torch.set_rng_state(tensors["rng.torch"])
    random.setstate(_tupled(meta["rng_python"]))
    name, keys, pos, has_gauss, cached = meta["rng_numpy"]
    np.random.set_state((name, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))


def _jsonable(value: Any) -> Any:
    return [_jsonable(v) for v in value] if isinstance(value, (tuple, list)) else value


def _tupled(value: Any) -> Any:
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value
