"""Alignment of a text-to-image run: do the generated images show what their captions say?

- class alignment: the share of images, generated from held-out captions, whose class as
  judged by the evaluator classifier of the data set's images is the caption's class
  (chance: 1 / number of classes);
- attribute alignment: for each caption that states an attribute, whether the generated
  image has the stated level, as judged by the evaluator's head for that attribute where it
  has one (synthetic-flowers: chance 1 / number of levels), else measured with the very code
  and cut points that wrote the captions (text/attributes.py; the composed MNIST sets,
  chance 1/3);
- FD and the other metrics of the base data set, for images generated from held-out
  captions (one per test image), against the test split, as `ganforge evaluate` does for
  unconditional runs.
The held-out captions are the test split's: one random caption of every test image, drawn
with the seed; alignment uses the first `captions` of them (1,000, or n when fewer). Beside
each figure stands the same measure on the real test images of those captions (its ceiling).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganforge.errors import ConfigError

DEFAULT_CAPTIONS = 1000


def class_alignment(images: Any, labels: np.ndarray, evaluator: str) -> float:
    """Share of `images` the evaluator classifies as `labels` (the captions' classes)."""
    from ganforge.metrics.features import get_extractor

    probs = get_extractor(evaluator)(images, with_features=False).probs  # (n, K)
    return float(np.mean(probs.argmax(axis=1) == np.asarray(labels)))


def judge_attributes(images: Any, labels: np.ndarray, dataset: str
                     ) -> tuple[tuple[str, ...], np.ndarray, np.ndarray | None]:
    """(names, levels (n, A) of `images`, chance (A,) or None for 1/3 each): from the
    evaluator's attribute heads when it has them, else measured as the captions were."""
    from ganforge.metrics.features import get_extractor
    from ganforge.metrics.weights import evaluator_for

    extractor = get_extractor(evaluator_for(base_dataset(dataset)))
    heads = dict(extractor.model.config.heads)
    if heads:
        judged = extractor.attribute_levels(images)
        return (tuple(heads), np.stack([judged[n] for n in heads], axis=1),
                np.array([1 / k for k in heads.values()]))
    from ganforge.data.captioned.attributes import ATTRIBUTES, cuts_for, levels, measure

    names = ATTRIBUTES[dataset]
    return names, levels(measure(images, names), np.asarray(labels), cuts_for(dataset)), None


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


def held_out_captions(config: Any, seed: int) -> dict[str, Any]:
    """One random caption of every test image: captions, vectors (n, E), classes, levels."""
    from ganforge.data import load_dataset

    data = load_dataset(config.data.dataset, "test", config.data.data_dir,
                        text_encoder=config.model.text_encoder)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(data))
    pick = rng.integers(data.text.shape[1], size=len(data))[order]
    return {"captions": [data.captions[i][k] for i, k in zip(order, pick, strict=True)],
            "text": data.text[torch.from_numpy(order), torch.from_numpy(pick)],
            "labels": data.labels.numpy()[order],
            "levels": None if data.levels is None else data.levels[order, pick],
            "classes": data.classes, "images": data.images[torch.from_numpy(order)]}


def base_dataset(dataset: str) -> str:
    """The image data set whose evaluator judges a captioned set's images (its weights
    shipped or trained), or a one-line ConfigError."""
    from ganforge.data.registry import data_sets, scored_as
    from ganforge.metrics.weights import evaluator_for, has_weights

    base = scored_as(dataset)
    evaluator = None if base is None else evaluator_for(base)
    if evaluator is None or not has_weights(evaluator):
        scored = [k for k, v in data_sets().items() if v.scored_as
                  and (e := evaluator_for(v.scored_as)) and has_weights(e)]
        hint = (f"; train one with `ganforge evaluator train {evaluator}`"
                if evaluator is not None else "")
        raise ConfigError(f"no evaluator classifier for data set {dataset!r}: alignment and FD "
                          f"are measured for {', '.join(scored)}{hint}")
    return base


def _alignment(images: Any, held: dict[str, Any], n: int, dataset: str) -> dict[str, Any]:
    """Class and attribute alignment of `images` with the first n held-out captions."""
    from ganforge.metrics.weights import evaluator_for

    labels = held["labels"][:n]
    result: dict[str, Any] = {
        "class": class_alignment(images[:n], labels, evaluator_for(base_dataset(dataset)))}
    if held["levels"] is not None:
        result["attributes"] = attribute_alignment(images[:n], labels, held["levels"][:n],
                                                   dataset)
    return result


def evaluate_text_run(run: Path | str, n: int | None = None, *, seed: int = 0,
                      checkpoint: str | None = None, features: str = "evaluator",
                      captions: int = DEFAULT_CAPTIONS,
                      encoder_dirs: tuple[str, ...] = ()) -> dict[str, Any]:
    """FD (and the base data set's other metrics) and alignment of a text-to-image run (its
    encoder built in, or one of `encoder_dirs`, the folders named with --text-encoder-dir)."""
    from ganforge.metrics.evaluate import evaluate_images, resolve_checkpoint
    from ganforge.metrics.registry import min_samples
    from ganforge.sampling.captions import generate_for_captions, load_text_generator

    loaded = load_text_generator(resolve_checkpoint(Path(run), checkpoint), encoder_dirs)
    cfg = loaded.config
    base = base_dataset(cfg.data.dataset)
    held = held_out_captions(cfg, seed)
    n = len(held["labels"]) if n is None else n
    low = min_samples(base)
    if not low <= n <= len(held["labels"]):
        raise ConfigError(f"--n must be in {low}..{len(held['labels'])} (one image per "
                          f"held-out caption), got {n}")
    captions = min(captions, n)
    start = time.perf_counter()
    images = generate_for_captions(loaded, held["text"][:n], seed)
    generated = time.perf_counter() - start
    result = evaluate_images(images, base, seed=seed, features=features,
                             data_dir=cfg.data.data_dir)
    result["seconds"]["generate"] = round(generated, 3)
    alignment: dict[str, Any] = {
        "captions": captions, "num_classes": len(held["classes"]),
        **_alignment(images, held, captions, cfg.data.dataset),
        "real": _alignment(held["images"], held, captions, cfg.data.dataset),
        "examples": held["captions"][:5]}
    return {"run": str(run), "checkpoint": str(loaded.checkpoint), "step": loaded.step,
            "conditioned_on": f"held-out captions of {cfg.data.dataset} (test split)",
            **result, "alignment": alignment}


def format_alignment(result: dict[str, Any]) -> str:
    """The alignment figures as text lines, each with its chance level."""
    a = result["alignment"]
    real = a.get("real", {})
    ceiling = f", real images {real['class']:.3f}" if "class" in real else ""
    lines = [f"class alignment ({a['captions']} held-out captions): {a['class']:.3f} "
             f"(chance {1 / a['num_classes']:.3f}{ceiling})"]
    attributes, on_real = a.get("attributes"), real.get("attributes", {})
    if attributes:
        def extra(key: str) -> str:
            chance = f", chance {attributes[f'{key}_chance']:.3f}" \
                if f"{key}_chance" in attributes else ""
            return chance + (f", real {on_real[key]:.3f}" if key in on_real else "")

        parts = [f"{k} {v:.3f} (n={attributes[f'{k}_n']}{extra(k)})"
                 for k, v in attributes.items()
                 if not k.endswith(("_n", "_chance")) and k not in ("all", "chance")]
        lines.append(f"attribute alignment: all {attributes['all']:.3f} "
                     f"(n={attributes['all_n']}, chance {attributes['chance']:.3f}"
                     + (f", real {on_real['all']:.3f}" if "all" in on_real else "") + "); "
                     + ", ".join(parts))
    return "\n".join(lines)


def is_text_run(run: Path | str) -> bool:
    """Whether a run folder (or a checkpoint file inside one) holds a text-to-image run."""
    from ganforge.runs.folder import RunFolder

    path = Path(run)
    folder = path if path.is_dir() else path.parent.parent
    if not (folder / "config.toml").is_file():
        return False
    return hasattr(RunFolder(folder).read_config().model, "text_encoder")
