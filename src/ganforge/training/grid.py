"""The conditions of the fixed sample grid, one per cell, by what the run is conditioned on
(model_configs.condition_of): none; the classes G would draw from the grid's noise (so a
class-conditional grid shows what G(z) alone shows); or held-out captions, encoded, which
the loop also writes beside the grid (data.captioned.held_out); a data set that holds none
out gives captions of the run's training data (`train`, never loaded a second time)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from ganforge.data.captioned.held_out import FixedCaptions, fixed_captions
from ganforge.model_configs import Condition, condition_of
from ganforge.models.cdcgan28 import classes_from_noise

GridConditions = tuple[torch.Tensor | None, FixedCaptions | None]  # (G's cond, captions)


def _none(config: Any, noise: torch.Tensor, seed: int, train: Any) -> GridConditions:
    del config, noise, seed, train
    return None, None


def _classes(config: Any, noise: torch.Tensor, seed: int, train: Any) -> GridConditions:
    del seed, train
    return classes_from_noise(noise, config.model.num_classes), None


def _captions(config: Any, noise: torch.Tensor, seed: int, train: Any) -> GridConditions:
    captions = fixed_captions(config, len(noise), seed, train)
    return captions.text.to(noise.device), captions


GRID_CONDITIONS: dict[Condition, Callable[[Any, torch.Tensor, int, Any], GridConditions]] = {
    "none": _none, "class": _classes, "text": _captions,
}


def grid_conditions(config: Any, noise: torch.Tensor, seed: int, train: Any = None
                    ) -> GridConditions:
    """(the grid's conditions for G, or None; the captions of its cells, or None); `train`:
    the run's training data (an ImageData), or None to load it where it is needed."""
    return GRID_CONDITIONS[condition_of(config.model)](config, noise, seed, train)
