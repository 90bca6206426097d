"""Orchestration on real images: FD grows with pixel noise, floors use the same n, stacked
MNIST is scored by modes, and npz files of any common layout are read."""

import numpy as np
import pytest
import torch

from ganforge.errors import ConfigError, DataError
from ganforge.metrics.evaluate import evaluate_images, extract, resolve_checkpoint
from ganforge.metrics.frechet import frechet_distance_of_features
from ganforge.metrics.npz import read_npz_images


@pytest.fixture
def mnist_test(real_data_root):
    from ganforge.data import load_dataset

    return load_dataset("mnist", "test", limit=500)


def test_fd_grows_with_pixel_noise(mnist_test):
    gen = torch.Generator().manual_seed(0)
    clean = mnist_test.images.float() / 127.5 - 1
    reference = extract(mnist_test.images, "mnist").features
    fds = []
    for sigma in (0.0, 0.3, 0.8):
        noisy = (clean + sigma * torch.randn(clean.shape, generator=gen)).clamp(-1, 1)
        fds.append(frechet_distance_of_features(extract(noisy, "mnist").features, reference))
    assert fds[0] < 1e-3 * fds[1] and fds[1] < fds[2]


def test_real_images_score_near_their_floor(mnist_test):
    result = evaluate_images(mnist_test.images, "mnist", seed=1)
    gen, real = result["metrics"], result["real"]
    assert result["n"] == real["n"] == 500
    assert gen["coverage"] == real["coverage"] == 10
    assert gen["classifier_score"] > 8 and real["classifier_score"] > 8
    assert gen["fd"] < 3 * real["fd"] + 1.0
    assert gen["precision"] > 0.6 and gen["recall"] > 0.6


def test_stacked_mnist_is_scored_by_modes(real_data_root):
    from ganforge.data import load_dataset

    stacked = load_dataset("stacked-mnist", "test", limit=400)
    result = evaluate_images(stacked.images, "stacked-mnist")
    assert set(result["metrics"]) == {"modes", "num_modes", "kl_uniform"}
    assert result["metrics"]["modes"] > 300  # 400 random triples hit ~330 distinct modes
    assert result["real"]["n"] == 400 and result["real"]["modes"] > 300


def test_unknown_dataset_is_refused():
    with pytest.raises(ConfigError, match="no evaluator for data set 'cifar10'"):
        evaluate_images(np.zeros((4, 1, 28, 28), np.uint8), "cifar10")


@pytest.mark.parametrize("shape,channels", [((5, 28, 28), 1), ((5, 28, 28, 1), 1),
                                            ((5, 1, 28, 28), 1), ((5, 28, 28, 3), 3),
                                            ((5, 3, 28, 28), 3)])
def test_npz_layouts(tmp_path, shape, channels):
    data = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    np.savez(tmp_path / "s.npz", images=data)
    images = read_npz_images(tmp_path / "s.npz", channels)
    assert images.shape == (5, channels, 28, 28) and images.dtype == torch.uint8


def test_npz_errors_name_the_file(tmp_path):
    np.savez(tmp_path / "two.npz", a=np.zeros(3), b=np.zeros(3))
    with pytest.raises(DataError, match="two.npz: no array named 'images'"):
        read_npz_images(tmp_path / "two.npz")
    np.savez(tmp_path / "obj.npz", images=np.array([{"x": 1}], dtype=object))
    with pytest.raises(DataError, match="obj.npz"):
        read_npz_images(tmp_path / "obj.npz")
    np.savez(tmp_path / "rgb.npz", images=np.zeros((4, 28, 28, 3), np.uint8))
    with pytest.raises(DataError, match="3 channel"):
        read_npz_images(tmp_path / "rgb.npz", channels=1)


def test_named_checkpoints_resolve_inside_the_run(tmp_path):
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "best.json").write_text("{}")
    assert resolve_checkpoint(tmp_path, "best") == tmp_path / "checkpoints" / "best.json"
    assert resolve_checkpoint(tmp_path, None) == tmp_path
    with pytest.raises(Exception, match="no such checkpoint"):
        resolve_checkpoint(tmp_path, "worst")
