"""The class-conditional DCGAN at 32 to 256 px: the dcgan modules with a class embedding in G
and a projection head in D."""

import pytest
import torch
from torch import nn

from ganforge.config import resolve_config
from ganforge.errors import ConfigError
from ganforge.model_configs import CDCGANConfig, condition_of
from ganforge.models import ARCHITECTURES
from ganforge.models.cdcgan import build
from ganforge.models.cdcgan28 import classes_from_noise
from ganforge.models.dcgan import DCGANDiscriminator, DCGANGenerator
from ganforge.training.batch import Batch
from ganforge.training.run import build_trainer, fit_to_data


@pytest.mark.parametrize("size", [32, 64, 128, 256])
@pytest.mark.parametrize("channels", [1, 3, 4])
def test_shapes_at_every_size_and_channel_count(size, channels):
    g, d = build(CDCGANConfig(image_size=size, channels=channels, width=2, num_classes=5))
    classes = torch.tensor([0, 4, 2])
    images = g(torch.randn(3, 100), classes)
    assert images.shape == (3, channels, size, size)
    assert images.abs().max() <= 1
    assert d(images, classes).shape == (3,)


def test_reuses_the_dcgan_layers():
    cfg = CDCGANConfig(width=4, channels=3)
    g, d = build(cfg)
    assert isinstance(g.body, DCGANGenerator)
    assert g.body.net[0].in_channels == 100 + 16  # z beside the class embedding
    base = DCGANDiscriminator(cfg.base()).net
    assert [type(m) for m in d.features] == [type(m) for m in base[:-1]]
    assert d.embed.embedding_dim == 8 * 4  # D's (B, 8w, 4, 4) features at 64 px
    assert isinstance(d.features[1], nn.LeakyReLU)  # no norm on D's first layer


def test_generator_without_classes_uses_the_classes_of_its_noise():
    g, _ = build(CDCGANConfig(width=4, image_size=32))
    g.eval()
    z = torch.randn(4, 100)
    assert torch.equal(g(z), g(z, classes_from_noise(z, 10)))
    assert not torch.allclose(g(z), g(z, (classes_from_noise(z, 10) + 1) % 10))


def test_discriminator_depends_on_the_class_through_the_projection():
    _, d = build(CDCGANConfig(width=4, image_size=32))
    d.eval()
    x = torch.randn(4, 1, 32, 32)
    zeros, ones = torch.zeros(4, dtype=torch.long), torch.ones(4, dtype=torch.long)
    assert not torch.allclose(d(x, zeros), d(x, ones))
    with torch.no_grad():
        d.embed.weight.zero_()  # no projection: the unconditional head alone
    assert torch.allclose(d(x, zeros), d(x, ones))


@pytest.mark.parametrize("kwargs, message", [
    ({"image_size": 28}, "arch cdcgan builds 32, 64, 128 or 256 px images, not 28x28"),
    ({"num_classes": 101}, "cdcgan needs 2 <= num_classes <= latent_dim"),
    ({"num_classes": 1}, "needs a data set with at least two classes .* this one has 1"),
    ({"width": 0}, "width must be at least 1"),
])
def test_bad_settings_fail_at_construction(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        CDCGANConfig(**kwargs)


def test_registered_class_conditional():
    assert ARCHITECTURES["cdcgan"].config_class is CDCGANConfig
    assert condition_of(CDCGANConfig()) == "class"


def test_one_training_step_with_the_batchs_classes():
    config = resolve_config("dcgan64", overrides={"arch": "cdcgan", "width": "4",
                                                   "batch_size": "8", "threads": "1"})
    trainer = build_trainer(fit_to_data(config, 3, 32, {"num_classes": 3}))
    embed = trainer.generator.embed.weight.detach().clone()
    labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    stats = trainer.train_batch(0, Batch(torch.rand(8, 3, 32, 32) * 2 - 1, labels, labels))
    assert stats is not None and bool(torch.isfinite(stats).all())
    assert not torch.equal(embed, trainer.generator.embed.weight)  # G learned from its classes
