"""R-precision and caption similarity of generated images in a fitted image-text encoder
(metrics.retrieval), their lines in `ganforge evaluate`'s output, and the feature metrics of
a data set scored by a fitted evaluator (metrics.registry)."""

import numpy as np
import pytest
import torch

import ganforge.metrics.run_checks as run_checks
from ganforge.data.captioned.held_out import HeldOut
from ganforge.errors import ConfigError
from ganforge.metrics.evaluate import evaluate_images
from ganforge.metrics.evaluator_fit import fit_on
from ganforge.metrics.fitted import data_key, evaluator_path_for, write_fitted
from ganforge.metrics.registry import check_dataset, scoring_for
from ganforge.metrics.retrieval import retrieval_figures
from ganforge.metrics.summary import format_retrieval
from tests.metrics.test_evaluator_fit import toy


@pytest.fixture(scope="module")
def fitted():
    """A contrastive encoder fitted on the toy bars well enough to tell heights apart."""
    return fit_on(toy(96, 0), toy(60, 1), "contrastive", epochs=25, seed=0,
                  log=lambda _: None)


def _held(data):
    return HeldOut(captions=[c[0] for c in data.captions], text=data.text[:, 0].float(),
                   labels=data.labels.numpy(), levels=None, images=data.images,
                   classes=data.classes)


def test_retrieval_figures_of_real_and_noise(fitted, tmp_path):
    write_fitted(fitted.model, tmp_path, {"kind": "contrastive", "text_encoder": "hashing",
                                          "figures": fitted.figures})
    test = toy(60, 1)
    held = _held(test)
    noise = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (60, 1, 28, 28),
                                                               dtype=np.uint8))
    got = retrieval_figures(noise, held, "toy-set", seed=0, run_encoder="hashing",
                            folder=tmp_path)["retrieval"]
    real = got["real"]
    assert got["r_precision"]["n"] == 60 and got["text_encoder"] == "hashing"
    # the real bars are matched to their height's captions far above noise and chance
    assert real["r_precision_other_classes"]["r_precision"] > 0.9
    assert got["r_precision_other_classes"]["r_precision"] < 0.5
    assert real["caption_similarity"] > got["caption_similarity"]
    lines = format_retrieval(got)
    assert lines[0].startswith("R-precision (R@1 among") and "real images" in lines[0]
    assert "caption similarity" in lines[-1]


def test_no_fitted_encoder_no_retrieval_figures(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    held = _held(toy(20, 1))
    assert retrieval_figures(held.images, held, "no-such-set", seed=0) == {}


def test_a_data_set_with_a_fitted_evaluator_is_scored_in_its_features(fitted, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(ConfigError, match="evaluator fit"):
        check_dataset("toy-set")
    key = data_key("toy-set")
    write_fitted(fitted.model, evaluator_path_for(key),
                 {"kind": "contrastive", "text_encoder": "hashing", "figures": fitted.figures})
    got_key, evaluator = check_dataset("toy-set")
    assert got_key == key and evaluator.startswith("fitted:")
    assert scoring_for("toy-set").metrics == ("fd", "kid", "precision_recall")
    splits = {"train": toy(96, 0), "test": toy(60, 1)}
    monkeypatch.setattr(run_checks, "load_dataset",
                        lambda name, split, *a, **k: splits[split])
    real = evaluate_images(toy(30, 2).images, "toy-set")
    noise = evaluate_images(torch.from_numpy(np.random.default_rng(1).integers(
        0, 256, (30, 1, 28, 28), dtype=np.uint8)), "toy-set")
    assert set(real["metrics"]) == {"fd", "kid", "kid_std", "precision", "recall"}
    assert noise["metrics"]["fd"] > 3 * real["metrics"]["fd"]
    assert real["real"]["n"] == 30 and "fd" in real["real"]
