"""The stacked-MNIST data set: three MNIST digits per image, labels from the channels."""

import torch

from ganforge.data import load_dataset


def test_stacked_mnist_shape_labels_and_determinism(real_data_root):
    stacked = load_dataset("stacked-mnist", "test", limit=300)
    assert stacked.images.shape == (300, 3, 28, 28) and stacked.images.dtype == torch.uint8
    assert stacked.num_classes == 1000 and stacked.classes[123] == "123"
    assert stacked.labels.min() >= 0 and stacked.labels.max() < 1000
    mnist = load_dataset("mnist", "test")
    # Every channel is an MNIST test image whose digit is the label's matching decimal digit.
    flat = mnist.images[:, 0].reshape(len(mnist), -1)
    for i in range(0, 300, 37):
        for c, place in enumerate((100, 10, 1)):
            match = (flat == stacked.images[i, c].reshape(1, -1)).all(dim=1).nonzero()[:, 0]
            assert len(match) >= 1
            digits = set(mnist.labels[match].tolist())
            assert int(stacked.labels[i]) // place % 10 in digits
    again = load_dataset("stacked_mnist", "test", limit=300)
    assert torch.equal(again.images, stacked.images) and torch.equal(again.labels, stacked.labels)
    assert len(set(stacked.labels.tolist())) > 200  # the modes are spread


def test_stacked_mnist_full_split_has_mnist_size(real_data_root):
    train = load_dataset("stacked-mnist", "train")
    assert train.images.shape == (60000, 3, 28, 28)


def test_dcgan_stacked_preset_trains_on_three_channels_and_counts_modes(real_data_root,
                                                                         tmp_path):
    from ganforge.config import resolve_config
    from ganforge.metrics.evaluate import evaluate_run
    from ganforge.sampling.generator import generate, load_generator
    from ganforge.training.run import train

    config = resolve_config("dcgan-stacked", overrides={
        "limit": "128", "batch_size": "64", "epochs": "1", "eval_every": "0"})
    run = train(config, tmp_path / "stacked", progress=False)
    loaded = load_generator(run)
    assert loaded.config.model.channels == 3
    assert generate(loaded, 4).shape == (4, 3, 28, 28)
    result = evaluate_run(run, 200)
    assert set(result["metrics"]) == {"modes", "num_modes", "kl_uniform"}
    assert 1 <= result["metrics"]["modes"] <= 200 and result["real"]["modes"] > 150
