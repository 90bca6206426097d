import pytest
import torch
from torch import nn

from ganforge.errors import ConfigError
from ganforge.models import build_models
from ganforge.models.cdcgan28 import CDCGAN28Config, build, classes_from_noise
from ganforge.models.dcgan28 import DCGAN28Config
from ganforge.models.dcgan28 import build as build_dcgan


def test_shapes_and_range():
    g, d = build(CDCGAN28Config())
    z = torch.randn(5, 100)
    x = g(z)
    assert x.shape == (5, 1, 28, 28)
    assert x.abs().max() <= 1
    assert d(x, torch.arange(5)).shape == (5,)


def test_width_scales_every_layer_of_both_networks():
    g, d = build(CDCGAN28Config(width=16, channels=3))
    outs = [m.out_channels for m in g.modules() if isinstance(m, nn.ConvTranspose2d)]
    assert outs == [64, 32, 16, 3]
    assert [m.out_channels for m in d.modules() if isinstance(m, nn.Conv2d)] == [16, 32, 64, 1]
    assert g(torch.randn(2, 100)).shape == (2, 3, 28, 28)


def test_default_width_is_the_spec_dcgan():
    g, _ = build_dcgan(DCGAN28Config())
    spec = [m.out_channels for m in g.modules() if isinstance(m, nn.ConvTranspose2d)]
    assert spec == [128, 64, 32, 1]


def test_classes_from_noise_are_the_argmax_and_uniform():
    z = torch.zeros(3, 12)
    z[0, 4], z[1, 9], z[2, 11] = 1.0, 2.0, 5.0  # index 11 lies outside the 10 class slots
    assert classes_from_noise(z, 10).tolist() == [4, 9, 0]
    counts = torch.bincount(classes_from_noise(torch.randn(50_000, 100), 10), minlength=10)
    assert (counts.float() / 50_000 - 0.1).abs().max() < 0.01


def test_generator_without_classes_uses_the_classes_of_its_noise():
    g, _ = build(CDCGAN28Config())
    g.eval()
    z = torch.randn(4, 100)
    assert torch.equal(g(z), g(z, classes_from_noise(z, 10)))
    other = (classes_from_noise(z, 10) + 1) % 10
    assert not torch.allclose(g(z), g(z, other))


def test_discriminator_depends_on_the_class_through_the_projection():
    _, d = build(CDCGAN28Config())
    x = torch.randn(4, 1, 28, 28)
    a, b = d(x, torch.zeros(4, dtype=torch.long)), d(x, torch.ones(4, dtype=torch.long))
    assert not torch.allclose(a, b)
    with torch.no_grad():
        d.embed.weight.zero_()  # no projection: the unconditional head alone
    assert torch.allclose(d(x, torch.zeros(4, dtype=torch.long)),
                          d(x, torch.ones(4, dtype=torch.long)))


def test_registered_with_its_objective():
    from ganforge.model_configs import condition_of
    from ganforge.training.run import OBJECTIVES, adversarial_objective

    assert condition_of(CDCGAN28Config()) == "class"
    assert OBJECTIVES["class"] is adversarial_objective  # G and D told the batch's classes
    g, _ = build_models(CDCGAN28Config(num_classes=3))
    assert g.embed.num_embeddings == 3


@pytest.mark.parametrize("kwargs", [{"num_classes": 1}, {"latent_dim": 8},
                                    {"embed_dim": 0}, {"width": 0}])
def test_bad_settings_fail_at_construction(kwargs):
    with pytest.raises(ConfigError):
        CDCGAN28Config(**kwargs)
