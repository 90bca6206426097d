"""Refit an evaluator's attribute heads on renders of every attribute combination
(`ganforge evaluator refit NAME`; `ganforge evaluator train` does it too where the data
set draws renders).

Trained on the data set's images alone, an attribute head learns the ties its classes make
between attributes (in synthetic-flowers, the species: pink petals come with few centre
colours), and reads a combination no class has by the nearest class. The features hold
each attribute on its own; the heads only need to learn to read it. So the body and the
class head stay as they are (the FD features and class alignment do not change), and each
attribute head's linear layer is fitted again on the features of renders of random
combinations, drawn by the data set (its registry entry's `renders`).

The record gains "refit": its command, how it was fitted, and each head's accuracy before
and after, on the real test images and on renders of combinations no class has.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ganforge.errors import ConfigError
from ganforge.metrics.evaluator import Evaluator
from ganforge.metrics.evaluator_accuracy import to_unit_range
from ganforge.metrics.weights import DEFAULT_SEED, check_name

RENDERS = 8192  # renders the heads are fitted on
CHECK_RENDERS = 2000  # renders of new combinations each head is measured on
STEPS = 600  # full-batch Adam steps per head
LR = 1e-2


def can_refit(name: str) -> bool:
    """Whether evaluator `name`'s data set draws renders for its heads."""
    from ganforge.data.registry import lookup

    return lookup(check_name(name)).renders is not None


def renderer(name: str) -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    """The data set's `renders` function (a one-line ConfigError where it draws none)."""
    from ganforge.data.registry import lookup, resolve

    entry = lookup(name)
    if entry.renders is None:
        raise ConfigError(f"evaluator {name}: its data set draws no renders of attribute "
                          f"combinations, so its heads cannot be refitted (synthetic-flowers "
                          f"can)")
    return resolve(entry.renders)


@torch.no_grad()
def _features(model: Evaluator, images: np.ndarray | torch.Tensor, batch: int = 512
              ) -> torch.Tensor:
    """Penultimate features (n, F) of uint8 images (n, C, S, S)."""
    model.eval()
    x = torch.as_tensor(images)
    return torch.cat([model.features(to_unit_range(x[i : i + batch]))
                      for i in range(0, len(x), batch)])


def fit_head(linear: torch.nn.Linear, features: torch.Tensor, levels: torch.Tensor,
             seed: int) -> None:
    """Fit `linear` (features -> levels' logits) by full-batch Adam from fresh weights."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        linear.reset_parameters()
    opt = torch.optim.Adam(linear.parameters(), lr=LR)
    with torch.enable_grad():
        linear.requires_grad_(True)
        for _ in range(STEPS):
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(linear(features), levels).backward()
            opt.step()
        linear.requires_grad_(False)


def _accuracy(model: Evaluator, features: torch.Tensor, truth: torch.Tensor) -> dict[str, float]:
    model.eval()
    return {name: int((logits.argmax(1) == truth[:, j]).sum()) / max(1, len(truth))
            for j, (name, logits) in enumerate(model.attribute_logits(features).items())}


def refit_heads(model: Evaluator, name: str, test: Any, seed: int = DEFAULT_SEED,
                log: Callable[[str], None] = print) -> dict[str, Any]:
    """Refit every attribute head of `model` (in place) on RENDERS renders drawn with `seed`;
    returns the record's "refit" entry. `test`: the data set's test split (with `truth`)."""
    name = check_name(name)
    render = renderer(name)
    start = time.perf_counter()
    images, truth = render(RENDERS, seed)
    check_images, check_truth = render(CHECK_RENDERS, seed, new_only=True)
    # the body stays frozen: each set's features are computed once, before and after alike
    features, check = _features(model, images), _features(model, check_images)
    on_test = _features(model, test.images)
    check_levels = torch.from_numpy(check_truth)
    test_levels = torch.from_numpy(test.truth.astype("int64"))

    def measured() -> dict[str, dict[str, float]]:
        return {"test": _accuracy(model, on_test, test_levels),
                "new_combinations": _accuracy(model, check, check_levels)}

    before = measured()
    levels = torch.from_numpy(truth)
    for j, head in enumerate(model.heads.values()):
        fit_head(head[-1], features, levels[:, j], seed + j)
    after = measured()
    log(f"evaluator {name}: attribute heads refitted on {RENDERS} renders in "
        f"{time.perf_counter() - start:.0f} s; on {CHECK_RENDERS} renders of combinations "
        "no class has: " + ", ".join(f"{k} {before['new_combinations'][k]:.3f} -> {v:.3f}"
                                      for k, v in after["new_combinations"].items()))
    return {"command": f"ganforge evaluator refit {name} --seed {seed}", "seed": seed,
            "renders": RENDERS, "check_renders": CHECK_RENDERS, "steps": STEPS, "lr": LR,
            "before": before, "after": after}

