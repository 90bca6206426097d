"""The shipped evaluator weights: where they live, which data set uses which, loading them.

Each evaluator NAME has `weights/NAME.safetensors` (tensors only) and `weights/NAME.json`
(config, seed, command that reproduces it, test accuracy, SHA-256 of the tensor file).
Loading checks the SHA-256, so an altered or truncated file is refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ganforge.data.registry import known, normalise
from ganforge.errors import CheckpointError, ConfigError
from ganforge.fileio import sha256_file

if TYPE_CHECKING:
    from ganforge.metrics.evaluator import Evaluator

EVALUATORS = ("mnist", "fashion-mnist", "synthetic-flowers", "flowers102")
DEFAULT_EPOCHS, DEFAULT_SEED = 5, 0  # of `ganforge evaluator train`
def weights_dir() -> Path:
    """The package folder holding the shipped weights."""
    return Path(__file__).resolve().parent / "weights"


def evaluator_for(dataset: str) -> str | None:
    """The shipped evaluator that scores `dataset`'s images (its registry entry says), or
    None if ganforge ships none for it."""
    entry = known(dataset)
    return None if entry is None else entry.evaluator


def check_name(name: str) -> str:
    """Return the evaluator name normalised, or raise a one-line ConfigError."""
    key = normalise(name)
    if key not in EVALUATORS:
        raise ConfigError(f"no evaluator named {name!r} (known: {', '.join(EVALUATORS)})")
    return key


def has_weights(name: str, folder: Path | None = None) -> bool:
    """Whether evaluator `name`'s record is present (shipped, or trained by the user)."""
    return ((folder or weights_dir()) / f"{check_name(name)}.json").is_file()


def read_meta(name: str, folder: Path | None = None) -> dict[str, Any]:
    """The JSON record of evaluator `name` (raises CheckpointError if missing or unreadable)."""
    path = (folder or weights_dir()) / f"{check_name(name)}.json"
    try:
        meta = json.loads(path.read_text())
    except FileNotFoundError:
        raise CheckpointError(
            f"{path}: evaluator weights missing (make them with `ganforge evaluator train {name}`)"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise CheckpointError(f"{path}: evaluator metadata is not valid JSON") from None
    if not isinstance(meta, dict) or "sha256" not in meta or "config" not in meta:
        raise CheckpointError(f"{path}: not a ganforge evaluator record")
    return meta


def load_evaluator(name: str, folder: Path | None = None) -> Evaluator:
    """Build evaluator `name` from its shipped weights (checked by SHA-256), in eval mode.

    The global torch RNG is left untouched (construction happens in a forked RNG), so a
    training run that evaluates draws the same random numbers as one that does not.
    """
    import torch
    from safetensors import SafetensorError
    from safetensors.torch import load

    from ganforge.metrics.evaluator import Evaluator, EvaluatorConfig

    folder = folder or weights_dir()
    meta = read_meta(name, folder)
    path = folder / f"{check_name(name)}.safetensors"
    if not path.exists():
        raise CheckpointError(f"{path}: evaluator tensor file missing")
    if sha256_file(path) != meta["sha256"]:
        raise CheckpointError(f"{path}: SHA-256 mismatch with {path.stem}.json (altered?)")
    try:
        state = load(path.read_bytes())
    except SafetensorError as exc:
        raise CheckpointError(f"{path}: unreadable tensor file ({exc})") from None
    try:
        config = EvaluatorConfig(**meta["config"])
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{path.with_suffix('.json')}: bad evaluator config ({exc})"
                              ) from None
    with torch.random.fork_rng(devices=[]):
        model = Evaluator(config)
    model.load_state_dict(state)
    model.eval().requires_grad_(False)
    return model.to(memory_format=torch.channels_last)
