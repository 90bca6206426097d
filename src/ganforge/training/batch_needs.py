"""The batch source of a run, built from its data set and what its objective declares its
batches need (`objective.needs()`), so that no objective reads the data set itself:

    wrong_cond   a caption of the image's own class that is false of it (hard mismatches)
    levels       the attribute levels each caption states (the attribute head)
    truth        each image's own attribute levels, where the data set knows them
    recombined   captions of attribute combinations no class has, from the data set's
                 registry entry (its `recombined` maker)

A need the data set cannot meet is one line naming the data set.
"""

from __future__ import annotations

from typing import Any

import torch

from ganforge.errors import ConfigError
from ganforge.model_configs import Condition
from ganforge.training.batch import BatchSource
from ganforge.training.wrong_captions import WrongCaptions

NEEDS = frozenset({"wrong_cond", "levels", "truth", "recombined"})


def wrong_captions(data: Any) -> WrongCaptions:
    if data.text is None:
        raise ConfigError("hard_mismatch needs a data set with captions")
    if not data.classes:
        raise ConfigError("hard_mismatch draws wrong captions of an image's own class: "
                          "it needs a data set with classes")
    return WrongCaptions.build(data.labels, data.text.shape[1], data.levels)


def caption_levels(data: Any) -> torch.Tensor:
    if data.levels is None:
        raise ConfigError(f"attribute_weight needs a data set whose captions state attribute "
                          f"levels; {data.name} has none (add --attribute-weight 0)")
    return torch.from_numpy(data.levels.astype("int64"))


def recombined(data: Any) -> tuple[torch.Tensor, torch.Tensor]:
    from ganforge.data.registry import lookup, resolve

    maker = lookup(data.name).recombined
    if maker is None or data.encoder is None:
        raise ConfigError(f"recombine_weight needs a data set that composes new "
                          f"combinations of its attributes (synthetic-flowers); "
                          f"{data.name} does not")
    vectors, levels = resolve(maker)(data.encoder)
    return vectors, torch.from_numpy(levels.astype("int64"))


def batch_source(data: Any, needs: frozenset[str], condition: Condition,
                 device: torch.device, generator: torch.Generator) -> BatchSource:
    """The whole training split on `device`, cutting batches with what `needs` names."""
    unknown = needs - NEEDS
    if unknown:
        raise ValueError(f"unknown batch needs {sorted(unknown)} (known: {sorted(NEEDS)})")
    if condition == "text" and data.text is None:
        raise ConfigError(f"{data.name}: a text-conditioned model needs captions, and this "
                          f"data set has none (a folder's come from metadata.jsonl, "
                          f"metadata.csv or NAME.txt; `ganforge data check` says what it finds)")
    labels = data.labels.to(device) if data.classes else None  # None: a set without classes
    # in this order (the order the run has always built them in)
    wrong = wrong_captions(data) if "wrong_cond" in needs else None
    levels = caption_levels(data).to(device) if "levels" in needs else None
    truth = None if "truth" not in needs or data.truth is None else \
        torch.from_numpy(data.truth.astype("int64")).to(device)
    pair = recombined(data) if "recombined" in needs else None
    return BatchSource(
        data.images.to(device), labels, None if data.text is None else data.text.to(device),
        generator, wrong=wrong, condition=condition, levels=levels, truth=truth,
        recombined=None if pair is None else (pair[0].to(device), pair[1].to(device)))
