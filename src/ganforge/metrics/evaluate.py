"""Evaluation: generate N samples with a fixed seed, compute every metric of the data set,
and compute each one's real-data floor (a training-split sample of the same size scored
against the same test-split reference). Results are plain dicts (JSON-ready).

Test-split features (the reference) and training-split floor features are computed once
per process and cached, so evaluating every epoch of a run pays for them once.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from ganforge.data import load_dataset
from ganforge.data.registry import require_present
from ganforge.errors import CheckpointError, ConfigError
from ganforge.metrics.draw import DEFAULT_CAPTIONS, drawing_for, sample_images
from ganforge.metrics.feature_set import FeatureSet
from ganforge.metrics.features import get_extractor
from ganforge.metrics.fitted import (
    data_key,
    is_folder,
    prepared_as,
)
from ganforge.metrics.inception import require_inception
from ganforge.metrics.npz import read_npz_images
from ganforge.metrics.registry import (
    Metric,
    check_dataset,
    metrics_for,
    min_samples,
    scoring_for,
)
from ganforge.metrics.run_checks import (
    check_folder,
    check_preparation,
    sample_shape,
    split_images,
)
from ganforge.metrics.unseen import makers_for, unseen_figures
from ganforge.model_configs import condition_of
from ganforge.runs.folder import RunFolder
from ganforge.sampling.generator import load_generator
from ganforge.text.encoders import checkpoint_encoder

__all__ = ["evaluate_images", "evaluate_npz", "evaluate_run", "extract", "real_floor",
           "resolve_checkpoint", "sample_images", "score"]
log = logging.getLogger(__name__)  # progress, shown by `ganforge evaluate` (cli.progress_lines)
_FEATURES: dict[tuple, FeatureSet] = {}
_STATS: dict[tuple, Any] = {}


def check_features(dataset: str, features: str) -> None:
    """Refuse, before any sample is drawn or read, features that cannot be computed:
    Inception features without pytorch-fid or its weights (a data set scored channel by
    channel, stacked MNIST, uses the evaluator's alone)."""
    key, _ = check_dataset(dataset)
    if features == "inception" and not scoring_for(key).per_channel:
        require_inception()


def extract(images: Any, dataset: str, features: str = "evaluator",
            what: str = "generated") -> FeatureSet:
    """Features and probabilities of `images` (uint8 or [-1, 1]) for `dataset`'s metrics
    (`what` the images are: for the progress log)."""
    key, evaluator = check_dataset(dataset)
    per_channel = scoring_for(key).per_channel
    extractor = get_extractor(evaluator, "evaluator" if per_channel else features)
    log.info("features of %d images (%s)", len(images), what)
    if per_channel:
        return extractor.channel_probs(images)
    return extractor(images)


def _split_features(dataset: str, split: str, features: str, data_dir: str | None,
                    n: int | None = None, seed: int = 0, keep: bool = True) -> FeatureSet:
    """Features of a split: all of it, or `n` images drawn with `seed`; cached when `keep`."""
    options = prepared_as(dataset)  # a folder: as its fitted evaluator saw it
    key = (dataset, split, features, data_dir, n, seed, options)
    if key in _FEATURES:
        return _FEATURES[key]
    images = split_images(dataset, split, data_dir)
    if n is not None and n < len(images):
        images = images[np.sort(np.random.default_rng(seed).choice(len(images), n, False))]
    found = extract(images, dataset, features, f"{dataset} {split} split")
    if keep:
        _FEATURES[key] = found
    return found


def _reference(metric: Metric, test: FeatureSet, n: int, ref_key: tuple) -> Any:
    """The metric's statistics of its reference (cached per reference and size)."""
    if metric.reference == "none":
        return None
    size = len(test) if metric.reference == "full" else min(n, len(test))
    key = (metric.name, ref_key, size)
    if key not in _STATS:
        rows = np.random.default_rng(0).permutation(len(test))[:size]
        ref = test if size == len(test) else test.subset(np.sort(rows))
        _STATS[key] = metric.statistics(ref)
    return _STATS[key]


def score(gen: FeatureSet, dataset: str, features: str = "evaluator",
          data_dir: str | None = None) -> dict[str, Any]:
    """Every metric of `dataset` for the feature set `gen`, against the test split."""
    key, _ = check_dataset(dataset)
    metrics = metrics_for(key)
    test = None
    if any(m.reference != "none" for m in metrics):
        test = _split_features(key, "test", features, data_dir)
    ref_key = (key, features, data_dir)
    result: dict[str, Any] = {}
    for metric in metrics:
        log.info("%s of %d images", metric.name, len(gen))
        ref = None if test is None else _reference(metric, test, len(gen), ref_key)
        result.update(metric.score(metric.statistics(gen), ref))
    return result


def real_floor(n: int, dataset: str, features: str = "evaluator", data_dir: str | None = None,
               seed: int = 0) -> dict[str, Any]:
    """The metrics of `n` training-split images (the best a generator can hope for); computed
    once per process for each (data set, n, seed)."""
    key, _ = check_dataset(dataset)
    cache_key = ("floor", key, features, data_dir, n, seed)
    if cache_key not in _STATS:
        floor = _split_features(key, "train", features, data_dir, n=n, seed=seed, keep=False)
        log.info("real-data floor: %d training images, scored the same way", len(floor))
        _STATS[cache_key] = {**score(floor, key, features, data_dir), "n": len(floor)}
    return dict(_STATS[cache_key])


def evaluate_images(images: Any, dataset: str, *, seed: int = 0, features: str = "evaluator",
                    data_dir: str | None = None) -> dict[str, Any]:
    """Score images (uint8 or [-1, 1], (N, C, H, W)) with every metric and its real floor."""
    key, evaluator = check_dataset(dataset)
    start = time.perf_counter()
    gen = extract(images, key, features)
    metrics = score(gen, key, features, data_dir)
    seconds = time.perf_counter() - start
    compared = any(m.reference != "none" for m in metrics_for(key))  # the test split's count
    return {"dataset": key, "n": len(gen), "seed": seed, "evaluator": evaluator,
            "features": "evaluator" if scoring_for(key).per_channel else features,
            "metrics": metrics, "real": real_floor(len(gen), key, features, data_dir, seed),
            **({"reference_n": len(_split_features(key, "test", features, data_dir))}
               if compared else {}),
            "seconds": {"score": round(seconds, 3)}}


def resolve_checkpoint(run: Path, checkpoint: str | None) -> Path:
    """A checkpoint given as a path, or by name inside the run (e.g. "best", "final")."""
    if checkpoint is None:
        return run
    path = Path(checkpoint)
    if path.exists():
        return path
    named = RunFolder(run).checkpoints / f"{checkpoint}.json"
    if run.is_dir() and named.exists():
        return named
    raise CheckpointError(f"{checkpoint}: no such checkpoint file, nor {named}")


def evaluate_run(run: Path | str, n: int | None = None, *, seed: int = 0,
                 checkpoint: str | None = None, features: str = "evaluator",
                 captions: int = DEFAULT_CAPTIONS, encoder_dirs: tuple[str, ...] = (),
                 unseen: bool = False, dataset: str | None = None) -> dict[str, Any]:
    """Draw n samples (default per data set) from a run's newest checkpoint (or `checkpoint`)
    with seed `seed`, as the run's condition says (metrics.draw), and score them. A
    text-to-image run's images come from held-out captions, and its alignment with the first
    `captions` of them joins the result; its text encoder is a built-in one or one of
    `encoder_dirs` (the folders named with --text-encoder-dir). With `unseen`, its alignment
    on captions never seen in training joins it too, as "unseen" (metrics.unseen).
    `dataset` scores the run against another data set of the same image shape than its own
    (e.g. a run on a folder of synthetic-flowers' images, judged as synthetic-flowers)."""
    loaded = load_generator(resolve_checkpoint(Path(run), checkpoint))
    if dataset is not None:
        loaded.config = judged_as(loaded.config, dataset)
    cfg = loaded.config
    require_present(cfg.data.dataset)
    check_preparation(cfg)
    if unseen:
        makers_for(cfg)  # a run without unseen captions fails here, before any drawing
    if condition_of(cfg.model) == "text":
        checkpoint_encoder(cfg.model.text_encoder, encoder_dirs, loaded.checkpoint)
    drawing = drawing_for(cfg)
    check_features(drawing.dataset, features)
    check_folder(drawing.dataset, cfg.data.data_dir)
    n = drawing.count(n, cfg, seed)
    log.info("generating %d samples (seed %d) from %s", n, seed, loaded.checkpoint)
    start = time.perf_counter()
    images = drawing.draw(loaded.generator, cfg, n, seed)
    generated = time.perf_counter() - start
    result = evaluate_images(images, drawing.dataset, seed=seed, features=features,
                             data_dir=cfg.data.data_dir)
    result["seconds"]["generate"] = round(generated, 3)
    out = {"run": str(run), "checkpoint": str(loaded.checkpoint), "step": loaded.step,
           "checkpoint_sha256": loaded.sha256,
           **drawing.about(cfg), **result, **drawing.figures(images, cfg, seed, captions)}
    if unseen:
        out["unseen"] = unseen_figures(loaded, out["alignment"], out["alignment"]["captions"],
                                       seed)
    return out


def judged_as(cfg: Any, dataset: str) -> Any:
    """A run's config with its data set replaced by `dataset` (same channels and size, else
    one line): what its samples are drawn for and scored against."""
    import dataclasses

    from ganforge.data.prepare_options import run_options

    # a folder: prepared at the run's size (the run's own folder, or another one)
    other = load_dataset(dataset, "test", text_encoder=None, limit=1, options=run_options(cfg))
    if condition_of(cfg.model) == "text" and other.captions is None:
        raise ConfigError(f"--dataset {dataset}: it has no captions; a text-to-image run is "
                          f"scored on held-out captions of a captioned data set")
    shape = (cfg.model.channels, cfg.model.image_size)
    if (other.channels, other.size) != shape:
        raise ConfigError(f"--dataset {dataset}: its images are {other.channels}x{other.size}x"
                          f"{other.size}, the run draws {shape[0]}x{shape[1]}x{shape[1]}")
    # a folder keeps the run's preparation (its size above all); a built-in set has its own
    size = cfg.model.image_size if is_folder(data_key(dataset)) else None
    data = dataclasses.replace(cfg.data, dataset=dataset, image_size=size, data_dir=None)
    return dataclasses.replace(cfg, data=data)


def evaluate_npz(path: Path | str, dataset: str, *, seed: int = 0,
                 features: str = "evaluator", data_dir: str | None = None) -> dict[str, Any]:
    """Score uint8 images from an .npz file made by any program (see metrics.npz), of the
    data set's image shape (e.g. 28x28 grey for mnist, 64x64 RGB for synthetic-flowers or a
    folder whose fitted evaluator saw it so)."""
    key, _ = check_dataset(dataset)
    check_features(key, features)
    check_folder(key, data_dir)
    channels, size = sample_shape(key)
    images = read_npz_images(path, channels=channels, size=size, min_images=min_samples(key))
    result = evaluate_images(images, key, seed=seed, features=features, data_dir=data_dir)
    return {"samples": str(path), **result}
