"""Metrics by name. Each is features -> statistics -> score: `statistics` summarises a
FeatureSet (generated or real), `score` compares generated statistics with the reference's.

`reference` says which reference the metric compares against:
  "full"    the whole test split (FD: the Gaussian of all test features),
  "same_n"  a test-split sample of the generated set's size (KID, precision/recall, whose
            values depend on the sizes compared),
  "none"    no reference (classifier score, coverage, stacked modes: their ideal is known).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ganforge.data.registry import data_sets, known, looks_like_path, normalise
from ganforge.errors import ConfigError
from ganforge.metrics.feature_set import FeatureSet
from ganforge.metrics.fitted import refuse_unfitted_folder
from ganforge.metrics.kid import MIN_SAMPLES as KID_MIN
from ganforge.metrics.precision_recall import MIN_SAMPLES as PR_MIN

Reference = Literal["full", "same_n", "none"]


@dataclass(frozen=True)
class Metric:
    name: str
    statistics: Callable[[FeatureSet], Any]
    score: Callable[[Any, Any], dict[str, Any]]
    reference: Reference
    description: str
    min_samples: int = 1  # the fewest generated samples it can score


def _fd_stats(fs: FeatureSet) -> Any:
    from ganforge.metrics.frechet import gaussian_stats

    return gaussian_stats(fs.features)


def _fd_score(gen: Any, ref: Any) -> dict[str, Any]:
    from ganforge.metrics.frechet import frechet_distance

    return {"fd": frechet_distance(gen, ref)}


def _kid_score(gen: Any, ref: Any) -> dict[str, Any]:
    from ganforge.metrics.kid import kid

    result = kid(gen, ref)
    return {"kid": result.mean, "kid_std": result.std}


def _cs_score(gen: Any, _ref: Any) -> dict[str, Any]:
    from ganforge.metrics.classifier_score import classifier_score

    return {"classifier_score": classifier_score(gen)}


def _coverage_score(gen: Any, _ref: Any) -> dict[str, Any]:
    from ganforge.metrics.coverage import coverage

    c = coverage(gen)
    return {"coverage": c.count, "num_classes": c.num_classes, "kl_uniform": c.kl_uniform,
            "covered": list(c.covered)}


def _pr_score(gen: Any, ref: Any) -> dict[str, Any]:
    from ganforge.metrics.precision_recall import precision_recall

    pr = precision_recall(gen, ref)
    return {"precision": pr.precision, "recall": pr.recall}


def _stacked_score(gen: Any, _ref: Any) -> dict[str, Any]:
    from ganforge.metrics.stacked_modes import stacked_modes

    s = stacked_modes(gen)
    return {"modes": s.modes, "num_modes": s.num_modes, "kl_uniform": s.kl_uniform}


def _spread_stats(fs: FeatureSet) -> Any:
    from ganforge.metrics.feature_spread import spread_statistics

    return spread_statistics(fs.features)


def _spread_score(gen: Any, ref: Any) -> dict[str, Any]:
    from ganforge.metrics.feature_spread import spread_ratio

    return {"spread": spread_ratio(gen, ref)}


def _features(fs: FeatureSet) -> Any:
    return fs.features


def _probs(fs: FeatureSet) -> Any:
    return fs.probs


REGISTRY: dict[str, Metric] = {m.name: m for m in (
    Metric("fd", _fd_stats, _fd_score, "full", "Frechet distance of feature Gaussians", 2),
    Metric("kid", _features, _kid_score, "same_n", "kernel distance (unbiased MMD^2)", KID_MIN),
    Metric("classifier_score", _probs, _cs_score, "none", "exp E KL(p(y|x) || p(y))"),
    Metric("coverage", _probs, _coverage_score, "none", "classes with >= 1% of samples"),
    Metric("precision_recall", _features, _pr_score, "same_n", "k-NN manifold overlap", PR_MIN),
    Metric("stacked_modes", _probs, _stacked_score, "none", "modes of 1,000 hit, KL"),
    Metric("spread", _spread_stats, _spread_score, "same_n",
           "mean feature distance between samples / the test split's", 2),
)}

CLASS_METRICS = ("fd", "kid", "classifier_score", "coverage", "precision_recall")


@dataclass(frozen=True)
class Scoring:
    """How a data set's samples are scored: its metrics, the default sample count of
    `ganforge evaluate`, and whether each image channel is a sample of its own for a
    one-channel evaluator (stacked MNIST: three digits; it then has no feature choice)."""

    metrics: tuple[str, ...] = CLASS_METRICS
    samples: int = 10_000
    per_channel: bool = False


# A data set scored by an evaluator fitted for it (`ganforge evaluator fit`, metrics.fitted):
# a classifier gives the class metrics, the encoders without classes the feature metrics
# (a self-supervised one its feature spread too: the collapse figure of data without classes).
FITTED_SCORING = {"classifier": Scoring(),
                  "contrastive": Scoring(("fd", "kid", "precision_recall")),
                  "self-supervised": Scoring(("fd", "kid", "precision_recall", "spread"))}
FITTED_PREFIX = "fitted:"  # evaluator names "fitted:PATH" (PATH: its JSON record)


def fitted_evaluator(dataset: str, options: Any = None) -> tuple[str, str] | None:
    """(data key, "fitted:PATH") of the evaluator fitted for a data set ganforge ships none
    for (a folder, or a built-in set without one), or None; `options`: how the run asking
    prepared a folder (a PrepareOptions), preferred among evaluators of a moved folder."""
    from ganforge.metrics.fitted import data_key, find_fitted

    key = data_key(dataset)
    path = find_fitted(key, ("classifier", "contrastive", "self-supervised"), prefer=options)
    return None if path is None else (key, f"{FITTED_PREFIX}{path}")


def scoring_for(dataset: str) -> Scoring:
    """How `dataset`'s samples are scored: as its registry entry says, or as the evaluator
    fitted for it can score them."""
    entry = known(dataset)
    if entry is not None and entry.evaluator is not None:
        return Scoring(entry.metrics or CLASS_METRICS, entry.eval_samples, entry.per_channel)
    fitted = fitted_evaluator(dataset)
    if fitted is None:
        return Scoring()
    from ganforge.metrics.fitted import read_record

    kind = read_record(Path(fitted[1][len(FITTED_PREFIX):])).get("kind")
    return FITTED_SCORING.get(str(kind), Scoring())


def get_metric(name: str) -> Metric:
    """The metric registered as `name`."""
    if name not in REGISTRY:
        raise ConfigError(f"unknown metric {name!r} (known: {', '.join(REGISTRY)})")
    return REGISTRY[name]


def metrics_for(dataset: str) -> list[Metric]:
    """The metrics that apply to `dataset`'s samples."""
    return [REGISTRY[n] for n in scoring_for(dataset).metrics]


def min_samples(dataset: str) -> int:
    """The fewest samples every metric of `dataset` can score (KID's subsets, k-NN's k...)."""
    return max(m.min_samples for m in metrics_for(dataset))


def default_samples(dataset: str) -> int:
    """Default sample count of `ganforge evaluate` (26,000 for stacked MNIST, else 10,000)."""
    return scoring_for(dataset).samples


def check_dataset(dataset: str, options: Any = None) -> tuple[str, str]:
    """(data set, evaluator name) or a one-line ConfigError when ganforge cannot score it:
    the shipped evaluator of a built-in set, else one fitted for the data set (its key, and
    "fitted:PATH"). `options`: how the run prepared a folder (a PrepareOptions), so that the
    error says what can be done about it."""
    entry = known(dataset)
    if entry is None or entry.evaluator is None:
        fitted = fitted_evaluator(dataset, options)
        if fitted is not None:
            return fitted
        if entry is None and looks_like_path(dataset):
            refuse_unfitted_folder(dataset, options)  # gone, or what to do about it
        scored = ", ".join(k for k, v in data_sets().items() if v.evaluator)
        raise ConfigError(f"no evaluator for data set {dataset!r} (ganforge has one for: "
                          f"{scored}; fit one with `ganforge evaluator fit DATA`)")
    return normalise(entry.name), entry.evaluator
