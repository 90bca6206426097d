"""Alignment of a text-to-image run: do the generated images show what their captions say?

- class alignment: the share of images, generated from held-out captions, whose class as
  judged by the evaluator classifier of the data set's images is the caption's class
  (chance: 1 / number of classes);
- attribute alignment: for each caption that states an attribute, whether the generated
  image has the stated level, as judged by the evaluator's head for that attribute where it
  has one (synthetic-flowers: chance 1 / number of levels), else measured with the very code
  and cut points that wrote the captions (text/attributes.py; the composed MNIST sets,
  chance 1/3);
- class ceiling, where the data set knows every image's attributes and a class is a fixed
  combination of some of them (synthetic-flowers: a species is a petal colour, centre colour,
  petal count and petal shape): the class alignment that a generator drawing exactly what
  each caption states could reach at best. A caption that states two of a species' four
  attributes fits several species, and the best guess is the likeliest of them; the
  ceiling is the mean, over the captions, of that guess's share among the test images the
  caption fits.
The images come from held-out captions (metrics.draw: one random caption of every test
image, drawn with the seed); `ganforge evaluate` measures alignment on the first 1,000 of
them (or n when fewer), and beside each figure the same measure on the real test images of
those captions (its ceiling).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ganforge.data.captioned.attributes import levels, measure
from ganforge.data.captioned.vocabularies import vocabulary_of
from ganforge.data.registry import data_sets, looks_like_path, scored_as
from ganforge.data.unseen import class_ceiling
from ganforge.errors import ConfigError
from ganforge.metrics.features import get_extractor
from ganforge.metrics.fitted import refuse_unfitted_folder
from ganforge.metrics.weights import evaluator_for, has_weights

if TYPE_CHECKING:
    from ganforge.data.captioned.held_out import HeldOut


def class_alignment(images: Any, labels: np.ndarray, evaluator: str) -> float:
    """Share of `images` the evaluator classifies as `labels` (the captions' classes)."""
    probs = get_extractor(evaluator)(images, with_features=False).probs  # (n, K)
    return float(np.mean(probs.argmax(axis=1) == np.asarray(labels)))


def judge_attributes(images: Any, labels: np.ndarray, dataset: str
                     ) -> tuple[tuple[str, ...], np.ndarray, np.ndarray | None]:
    """(names, levels (n, A) of `images`, chance (A,) or None for 1/3 each): from the
    evaluator's attribute heads when it has them, else measured as the captions were."""
    extractor = get_extractor(evaluator_for(base_dataset(dataset)))
    heads = dict(extractor.model.config.heads)
    if heads:
        judged = extractor.attribute_levels(images)
        return (tuple(heads), np.stack([judged[n] for n in heads], axis=1),
                np.array([1 / k for k in heads.values()]))
    vocab = vocabulary_of(dataset)
    if vocab is None:
        raise ConfigError(f"data set {dataset!r}: its evaluator has no attribute heads and "
                          "its captions are not composed from measured attributes")
    names = vocab.attributes
    return names, levels(measure(images, names), np.asarray(labels), vocab.cut_points()), None


def attribute_alignment(images: Any, labels: np.ndarray, stated: np.ndarray, dataset: str
                        ) -> dict[str, Any]:
    """Per attribute: the share of images whose judged level is the stated one, over the
    captions that state it (-1 in `stated` (n, A) = not stated); "all": over every statement,
    with its chance level "chance" (and each attribute's, where levels differ in number)."""
    names, judged, chance = judge_attributes(images, labels, dataset)  # (n, A)
    said = stated >= 0
    result: dict[str, Any] = {}
    for j, name in enumerate(names):
        if said[:, j].any():
            result[name] = float(np.mean(judged[said[:, j], j] == stated[said[:, j], j]))
            result[f"{name}_n"] = int(said[:, j].sum())
            if chance is not None:
                result[f"{name}_chance"] = float(chance[j])
    result["all"] = float(np.mean(judged[said] == stated[said])) if said.any() else None
    result["all_n"] = int(said.sum())
    result["chance"] = 1 / 3 if chance is None else float(
        (said * chance[None]).sum() / max(1, said.sum()))
    return result


def base_dataset(dataset: str, options: Any = None) -> str:
    """The image data set whose evaluator judges a captioned set's images (its weights
    shipped or trained), or a one-line ConfigError (for a folder, what to do about it, from
    how the run prepared it: `options`, a PrepareOptions, or None when unknown)."""
    base = scored_as(dataset)
    evaluator = None if base is None else evaluator_for(base)
    if (evaluator is None or not has_weights(evaluator)) and looks_like_path(dataset):
        refuse_unfitted_folder(dataset, options)
    if evaluator is None or not has_weights(evaluator):
        scored = [k for k, v in data_sets().items() if v.scored_as
                  and (e := evaluator_for(v.scored_as)) and has_weights(e)]
        hint = (f"; train one with `ganforge evaluator train {evaluator}`"
                if evaluator is not None else "")
        raise ConfigError(f"no evaluator classifier for data set {dataset!r}: alignment and FD "
                          f"are measured for {', '.join(scored)}{hint}")
    return base


def alignment_figures(images: Any, held: HeldOut, dataset: str) -> dict[str, Any]:
    """Class and attribute alignment of `images` with the first len(images) captions of
    `held`, a captioned data set's held-out captions."""
    n = len(images)
    labels = held.labels[:n]
    result: dict[str, Any] = {
        "class": class_alignment(images, labels, evaluator_for(base_dataset(dataset)))}
    if held.levels is not None:
        result["attributes"] = attribute_alignment(images, labels, held.levels[:n], dataset)
    return result


def ceiling_figures(held: HeldOut, n: int) -> dict[str, float]:
    """{"class_ceiling": ...} of the first n captions of `held` (every held-out image the
    population), where the data set knows the images' own levels; else nothing."""
    if held.levels is None or held.truth is None:
        return {}
    ceiling = class_ceiling(held.levels[:n], held.labels, held.truth)
    return {} if ceiling is None else {"class_ceiling": ceiling}
