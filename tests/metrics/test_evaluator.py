"""The shipped evaluator weights: pinned SHA-256, accuracy on real test images, features."""

import json

import pytest
import torch

from ganforge.errors import CheckpointError, ConfigError
from ganforge.fileio import sha256_file
from ganforge.metrics.evaluator import Evaluator, EvaluatorConfig
from ganforge.metrics.evaluator_accuracy import accuracy
from ganforge.metrics.evaluator_training import random_shift
from ganforge.metrics.weights import load_evaluator, weights_dir

# A silent change of the shipped weights must fail here (retrain: see each NAME.json).
SHA256 = {
    "mnist": "8e1c3e800e3cc6b0aa967d8417ad603c8aad25e16a45f10cd414a439b2514609",
    "fashion-mnist": "0fe0764ce31610f356d0623a2122978fa2d6c10eada33952c6b7878f5ca478ef",
}
MIN_ACCURACY = {"mnist": 0.985, "fashion-mnist": 0.89}  # on 2,000 test images


@pytest.mark.parametrize("name", sorted(SHA256))
def test_shipped_weights_are_pinned(name):
    path = weights_dir() / f"{name}.safetensors"
    assert sha256_file(path) == SHA256[name]
    meta = json.loads((weights_dir() / f"{name}.json").read_text())
    assert meta["sha256"] == SHA256[name]
    assert meta["command"] == f"ganforge evaluator train {name} --epochs {meta['epochs']} " \
                              f"--seed {meta['seed']}"
    assert meta["test_accuracy"] >= {"mnist": 0.99, "fashion-mnist": 0.91}[name]
    assert path.stat().st_size < 2_000_000


@pytest.mark.parametrize("name", sorted(SHA256))
def test_shipped_evaluator_accuracy(name, real_data_root):
    from ganforge.data import load_dataset

    test = load_dataset(name, "test", limit=2000)
    assert accuracy(load_evaluator(name), test.images, test.labels) > MIN_ACCURACY[name]


def test_features_are_the_penultimate_layer():
    torch.manual_seed(0)
    model = Evaluator(EvaluatorConfig()).eval()
    x = torch.rand(4, 1, 28, 28) * 2 - 1
    feats = model.features(x)
    assert feats.shape == (4, 128) and (feats >= 0).all()
    assert torch.allclose(model.head(feats), model(x))


def test_load_evaluator_refuses_altered_weights(tmp_path):
    (tmp_path / "mnist.json").write_text((weights_dir() / "mnist.json").read_text())
    blob = bytearray((weights_dir() / "mnist.safetensors").read_bytes())
    blob[-1] ^= 1
    (tmp_path / "mnist.safetensors").write_bytes(bytes(blob))
    with pytest.raises(CheckpointError, match="SHA-256 mismatch"):
        load_evaluator("mnist", tmp_path)
    with pytest.raises(ConfigError, match="no evaluator named"):
        load_evaluator("cifar10")


def test_loading_leaves_the_global_rng_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    load_evaluator("mnist")
    assert torch.equal(torch.rand(3), expected)


def test_random_shift_moves_images_within_the_range():
    x = torch.full((50, 1, 28, 28), -1.0)
    x[:, :, 14, 14] = 1.0
    out = random_shift(x, 2, torch.Generator().manual_seed(0))
    peaks = (out[:, 0] == 1.0).nonzero()[:, 1:]
    assert len(peaks) == 50 and ((peaks - 14).abs() <= 2).all() and (peaks != 14).any()
