"""The DCGAN of Radford et al. at 32 to 256 px: layers, shapes, init, refusals, one step."""

import pytest
import torch
from torch import nn

from ganforge.config import resolve_config
from ganforge.errors import ConfigError
from ganforge.model_configs import (
    CDCGANConfig,
    DCGAN28Config,
    DCGANConfig,
    MLPConfig,
    T2IConfig,
    condition_of,
)
from ganforge.models import ARCHITECTURES, build_models
from ganforge.models.dcgan import build, multiples
from ganforge.training.batch import Batch
from ganforge.training.run import build_trainer, fit_to_data

SIZES = [32, 64, 128, 256]


def _outs(module: nn.Module, kind: type) -> list[int]:
    return [m.out_channels for m in module.modules() if isinstance(m, kind)]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_shapes_at_every_size_and_channel_count(size, channels):
    g, d = build(DCGANConfig(image_size=size, channels=channels, width=2))
    images = g(torch.randn(3, 100))
    assert images.shape == (3, channels, size, size)
    assert images.abs().max() <= 1  # tanh
    assert d(images).shape == (3,)


def test_default_is_the_papers_64px_networks():
    g, d = build(DCGANConfig(channels=3))
    assert _outs(g, nn.ConvTranspose2d) == [512, 256, 128, 64, 3]
    assert _outs(d, nn.Conv2d) == [64, 128, 256, 512, 1]
    first = g.net[0]
    assert (first.in_channels, first.kernel_size, first.stride, first.padding) == \
        (100, (4, 4), (1, 1), (0, 0))
    assert isinstance(g.net[-1], nn.Tanh)
    assert not isinstance(d.net[-1], nn.Sigmoid)  # a logit: the sigmoid lives in the loss
    assert all(m.bias is None for m in [*g.modules(), *d.modules()]
               if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)))


@pytest.mark.parametrize("size, g_outs", [
    (32, [4, 2, 1]),  # starts at 4w
    (128, [16, 8, 4, 2, 1]),  # the doubling kept
    (256, [16, 16, 8, 4, 2, 1]),  # capped at 16w
])
def test_one_block_per_factor_of_two(size, g_outs):
    g, d = build(DCGANConfig(image_size=size, width=2, channels=3))
    assert multiples(size) == g_outs
    assert _outs(g, nn.ConvTranspose2d) == [2 * m for m in g_outs] + [3]
    assert _outs(d, nn.Conv2d) == [2 * m for m in reversed(g_outs)] + [1]


def test_discriminator_has_no_norm_on_its_first_layer():
    _, d = build(DCGANConfig())
    assert isinstance(d.net[0], nn.Conv2d) and isinstance(d.net[1], nn.LeakyReLU)
    assert isinstance(d.net[3], nn.BatchNorm2d)  # after the second conv
    norms = [m for m in d.modules() if isinstance(m, nn.BatchNorm2d)]
    assert len(norms) == len(_outs(d, nn.Conv2d)) - 2  # neither the first nor the last conv


@pytest.mark.parametrize("kind", ["layer", "none"])
def test_other_discriminator_norms(kind):
    _, d = build(DCGANConfig(d_norm=kind, width=4))
    assert not any(isinstance(m, nn.BatchNorm2d) for m in d.modules())
    assert any(isinstance(m, nn.GroupNorm) for m in d.modules()) == (kind == "layer")


def test_dcgan_init_draws_weights_with_std_002():
    torch.manual_seed(0)
    g, d = build(DCGANConfig())
    weights = torch.cat([m.weight.flatten() for m in [*g.modules(), *d.modules()]
                         if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))])
    assert abs(weights.std().item() - 0.02) < 0.001 and abs(weights.mean().item()) < 0.001
    scales = torch.cat([m.weight for m in g.modules() if isinstance(m, nn.BatchNorm2d)])
    assert abs(scales.mean().item() - 1.0) < 0.01
    g_default, _ = build(DCGANConfig(init="default"))
    assert abs(g_default.net[0].weight.std().item() - 0.02) > 0.005


def test_pack_and_minibatch_std():
    _, d = build(DCGANConfig(pack=2, mbstd=4, width=4, image_size=32))
    assert d.net[0].in_channels == 2  # two 1-channel images per input
    assert d.net[-1].in_channels == 4 * 4 + 1  # the minibatch-std channel
    assert d(torch.randn(8, 1, 32, 32)).shape == (4,)


@pytest.mark.parametrize("size", [28, 48, 96])
def test_other_sizes_are_refused_in_one_line(size):
    with pytest.raises(ConfigError, match=f"arch dcgan builds 32, 64, 128 or 256 px images, "
                                          f"not {size}x{size}") as caught:
        DCGANConfig(image_size=size)
    assert "\n" not in str(caught.value)
    with pytest.raises(ConfigError, match="image_size must be at most 256, got 512"):
        DCGANConfig(image_size=512)
    config = resolve_config("dcgan64")
    with pytest.raises(ConfigError, match="not 28x28"):
        fit_to_data(config, 1, 28)


def test_default_image_size_of_a_folder():
    assert DCGANConfig.default_image_size == CDCGANConfig.default_image_size == 64
    assert T2IConfig.default_image_size == 64
    assert MLPConfig.default_image_size == DCGAN28Config.default_image_size == 28


def test_registered_unconditional():
    assert ARCHITECTURES["dcgan"].config_class is DCGANConfig
    assert condition_of(DCGANConfig()) == "none"
    g, _ = build_models(DCGANConfig(image_size=32, width=2))
    assert g(torch.randn(2, 100)).shape == (2, 1, 32, 32)


def test_preset_has_the_papers_settings():
    c = resolve_config("dcgan64")
    assert (c.model.arch, c.model.latent_dim, c.model.width, c.model.init) == \
        ("dcgan", 100, 64, "dcgan")
    assert (c.optim.lr_g, c.optim.lr_d, c.optim.beta1) == (2e-4, 2e-4, 0.5)
    assert (c.train.batch_size, c.loss.loss, c.data.dataset) == \
        (128, "non-saturating", "synthetic-flowers")


def test_one_training_step_changes_both_networks():
    config = resolve_config("dcgan64", overrides={"width": "4", "batch_size": "8",
                                                   "threads": "1"})
    trainer = build_trainer(fit_to_data(config, 3, 32))
    before = [p.detach().clone() for p in (trainer.generator.net[0].weight,
                                           trainer.discriminator.net[0].weight)]
    stats = trainer.train_batch(0, Batch(torch.rand(8, 3, 32, 32) * 2 - 1))
    assert stats is not None and bool(torch.isfinite(stats).all())
    assert not torch.equal(before[0], trainer.generator.net[0].weight)
    assert not torch.equal(before[1], trainer.discriminator.net[0].weight)
