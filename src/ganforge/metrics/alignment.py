"""Alignment of a text-to-image run: do the generated images show what their captions say?

- class alignment: the share of images, generated from held-out captions, whose class as
  judged by the evaluator classifier of the data set's images is the caption's class
  (chance: 1 / number of classes);
- attribute alignment (captions composed from measured attributes): for each caption that
  states an attribute, whether the attribute measured on the generated image, with the very
  code and cut points that wrote the captions (text/attributes.py), has the stated level
  (chance: 1/3);
- FD and the other metrics of the base data set, for images generated from held-out
  captions (one per test image), against the test split, as `ganforge evaluate` does for
  unconditional runs.
The held-out captions are the test split's: one random caption of every test image, drawn
with the seed; alignment uses the first `captions` of them (1,000, or n when fewer).
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


def attribute_alignment(images: Any, labels: np.ndarray, stated: np.ndarray, dataset: str
                        ) -> dict[str, Any]:
    """Per attribute: the share of images whose measured level is the stated one, over the
    captions that state it (-1 in `stated` (n, A) = not stated); "all": over every statement."""
    from ganforge.text.attributes import ATTRIBUTES, cuts_for, levels, measure

    names = ATTRIBUTES[dataset]
    measured = levels(measure(images, names), np.asarray(labels), cuts_for(dataset))  # (n, A)
    said = stated >= 0
    result: dict[str, Any] = {}
    for j, name in enumerate(names):
        if said[:, j].any():
            result[name] = float(np.mean(measured[said[:, j], j] == stated[said[:, j], j]))
            result[f"{name}_n"] = int(said[:, j].sum())
    result["all"] = float(np.mean(measured[said] == stated[said])) if said.any() else None
    result["all_n"] = int(said.sum())
    result["chance"] = 1 / 3
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
            "classes": data.classes}


def base_dataset(dataset: str) -> str:
    """The image data set whose evaluator judges a captioned set's images."""
    from ganforge.metrics.weights import evaluator_for
    from ganforge.text.datasets import COMPOSED, normalise

    base = COMPOSED.get(normalise(dataset))
    if base is None or evaluator_for(base) is None:
        raise ConfigError(f"no evaluator classifier for data set {dataset!r}: alignment and FD "
                          f"are measured for {', '.join(COMPOSED)}")
    return base


def evaluate_text_run(run: Path | str, n: int | None = None, *, seed: int = 0,
                      checkpoint: str | None = None, features: str = "evaluator",
                      captions: int = DEFAULT_CAPTIONS,
                      encoder_dirs: tuple[str, ...] = ()) -> dict[str, Any]:
    """FD (and the base data set's other metrics) and alignment of a text-to-image run (its
    encoder built in, or one of `encoder_dirs`, the folders named with --text-encoder-dir)."""
    from ganforge.metrics.evaluate import evaluate_images, resolve_checkpoint
    from ganforge.metrics.registry import min_samples
    from ganforge.metrics.weights import evaluator_for
    from ganforge.text.generate import generate_for_captions, load_text_generator

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
    labels = held["labels"][:captions]
    alignment: dict[str, Any] = {
        "captions": captions, "num_classes": len(held["classes"]),
        "class": class_alignment(images[:captions], labels, evaluator_for(base)),
        "examples": held["captions"][:5]}
    if held["levels"] is not None:
        alignment["attributes"] = attribute_alignment(
            images[:captions], labels, held["levels"][:captions], cfg.data.dataset)
    return {"run": str(run), "checkpoint": str(loaded.checkpoint), "step": loaded.step,
            "conditioned_on": f"held-out captions of {cfg.data.dataset} (test split)",
            **result, "alignment": alignment}


def format_alignment(result: dict[str, Any]) -> str:
    """The alignment figures as text lines, each with its chance level."""
    a = result["alignment"]
    lines = [f"class alignment ({a['captions']} held-out captions): {a['class']:.3f} "
             f"(chance {1 / a['num_classes']:.3f})"]
    attributes = a.get("attributes")
    if attributes:
        parts = [f"{k} {v:.3f} (n={attributes[f'{k}_n']})" for k, v in attributes.items()
                 if not k.endswith("_n") and k not in ("all", "chance")]
        lines.append(f"attribute alignment: all {attributes['all']:.3f} "
                     f"(n={attributes['all_n']}, chance {attributes['chance']:.3f}); "
                     + ", ".join(parts))
    return "\n".join(lines)


def is_text_run(run: Path | str) -> bool:
    """Whether a run folder (or a checkpoint file inside one) holds a text-to-image run."""
    from ganforge.training.run_folder import RunFolder

    path = Path(run)
    folder = path if path.is_dir() else path.parent.parent
    if not (folder / "config.toml").is_file():
        return False
    return hasattr(RunFolder(folder).read_config().model, "text_encoder")
