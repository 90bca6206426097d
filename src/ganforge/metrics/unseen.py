"""Alignment of a text-to-image run on captions never seen in training, within the data
set's vocabulary (`ganforge evaluate RUN --captions unseen`), beside the held-out figures:

- new word orders (every captioned set ganforge composes): a test image's own attributes
  (and class) said in phrasings the data set never uses (synthetic-flowers:
  UNSEEN_PHRASINGS of data/synthetic_flowers/captions.py; the MNIST sets: `phrase_unseen`
  of data/captioned/composed.py); the test images are those of the held-out figures, in the
  same seeded order, so their real images give the ceiling as for the held-out captions;
- new combinations (synthetic-flowers): captions in the data set's own phrasings that state
  a pair of attribute values no species combines (data/synthetic_flowers/unseen.py); no
  species has them, so only the attributes are judged;
- whole species (synthetic-flowers): a test image's four species attributes (petal colour,
  centre colour, count, shape) in one caption, in SPECIES_PHRASINGS, which the data set never
  uses (none of its phrasings states all four): each caption names one species, so its class
  ceiling is 1 and the species alignment says whether a run draws the species a full
  description names;
- new words (synthetic-flowers): a test image's own attributes in the data set's own
  phrasings, but said with the words training never shows (held-out colour names such as
  "carnation pink" or "dodger blue", held-out nouns such as "bloom" or "eye"; see
  data/synthetic_flowers/vocabulary.py), so it measures whether a run understands words it
  was never trained on.

The captions are drawn from the evaluation seed, encoded by the run's own encoder, one
image drawn per caption with that seed's noise, and judged by the same evaluator heads (or
measures) as the held-out alignment (metrics.alignment). `ratio` is unseen / held-out per
figure.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from ganforge.data import load_dataset
from ganforge.data.captioned.held_out import every_image
from ganforge.data.registry import data_sets, known, resolve
from ganforge.data.unseen import Maker, Unseen
from ganforge.errors import ConfigError
from ganforge.metrics.alignment import (
    attribute_alignment,
    base_dataset,
    class_alignment,
)
from ganforge.metrics.summary import attribute_names
from ganforge.metrics.weights import evaluator_for
from ganforge.model_configs import condition_of
from ganforge.sampling.captions import encode_captions, generate_for_captions
from ganforge.sampling.generator import LoadedGenerator

log = logging.getLogger(__name__)
NAMES = {"new_orders": "new word orders", "new_combinations": "new combinations",
         "whole_species": "whole species", "new_words": "new words"}
# joined to the evaluation seed
SEEDS = {"new_orders": 1901, "new_combinations": 1902, "whole_species": 1903, "new_words": 1904}


def makers_for(config: Any) -> dict[str, Maker]:
    """The unseen-caption makers of a run's data set (its registry entry names them), or a
    one-line ConfigError."""
    if condition_of(config.model) != "text":
        raise ConfigError(f"--captions unseen: arch {config.model.arch} does not read "
                          "captions; only text-to-image runs are measured on captions")
    entry = known(config.data.dataset)
    if entry is None or not entry.unseen:
        offered = ", ".join(k for k, v in data_sets().items() if v.unseen)
        raise ConfigError(f"--captions unseen: ganforge makes no unseen captions for data set "
                          f"{config.data.dataset!r} (it does for {offered})")
    return {kind: resolve(ref) for kind, ref in entry.unseen}


def unseen_captions(config: Any, count: int, seed: int) -> dict[str, Unseen]:
    """`count` unseen captions of each kind for a run's data set (its test split, the images
    in the order of the held-out figures' seed)."""
    makers = makers_for(config)
    d = config.data
    data = load_dataset(d.dataset, "test", d.data_dir, text_encoder=None)
    order = every_image(data.labels.numpy(), len(data.captions[0]), len(data.classes),
                        seed)[0][:count]
    return {kind: make(data, order, SEEDS[kind] + 1000 * seed)
            for kind, make in makers.items()}


def _figures(images: Any, made: Unseen, dataset: str) -> dict[str, Any]:
    """Class alignment (where the captions have classes) and attribute alignment."""
    result: dict[str, Any] = {}
    if made.labels is not None:
        result["class"] = class_alignment(images, made.labels,
                                          evaluator_for(base_dataset(dataset)))
    # Without classes the evaluator's attribute heads judge (synthetic-flowers has them), so
    # the labels judge_attributes would read for measured cut points are never used.
    labels = np.zeros(len(made.captions), np.int64) if made.labels is None else made.labels
    result["attributes"] = attribute_alignment(images, labels, made.levels, dataset)
    return result


def _ratio(unseen: float | None, held: float | None) -> float | None:
    return None if unseen is None or not held else unseen / held


def ratios(unseen: dict[str, Any], held: dict[str, Any]) -> dict[str, float | None]:
    """unseen / held-out for class alignment and each attribute's (and all) in both."""
    out: dict[str, float | None] = {}
    if "class" in unseen:
        out["class"] = _ratio(unseen["class"], held.get("class"))
    ours, theirs = unseen["attributes"], held.get("attributes") or {}
    for name in [*attribute_names(ours), "all"]:
        if name in theirs:
            out[name] = _ratio(ours[name], theirs[name])
    return out


def unseen_figures(loaded: LoadedGenerator, held: dict[str, Any], count: int, seed: int
                   ) -> dict[str, Any]:
    """eval.json's "unseen": per kind, the alignment of one image per caption (the real
    images' too, where the captions describe test images) and its ratio to `held`, the
    held-out alignment figures."""
    dataset = loaded.config.data.dataset
    out: dict[str, Any] = {"captions": count, "seed": seed}
    for kind, made in unseen_captions(loaded.config, count, seed).items():
        log.info("%s: encoding and drawing %d captions", NAMES[kind], len(made.captions))
        images = generate_for_captions(loaded, encode_captions(loaded, made.captions), seed)
        figures = _figures(images, made, dataset)
        if made.images is not None:
            figures["real"] = _figures(made.images, made, dataset)
        if made.class_ceiling is not None:
            figures["class_ceiling"] = made.class_ceiling
        out[kind] = {"name": NAMES[kind], **made.about, **figures,
                     "ratio": ratios(figures, held), "examples": made.captions[:5]}
    return out
