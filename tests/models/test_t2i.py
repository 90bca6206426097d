"""The text-to-image networks: shapes at both resolutions, and clear errors."""

import pytest
import torch

from ganforge.errors import ConfigError
from ganforge.model_configs import DCGAN28Config, condition_of
from ganforge.models import build_models
from ganforge.models.t2i import T2IConfig


@pytest.mark.parametrize("size, channels, classes", [(28, 1, 10), (64, 3, 102), (128, 3, 5)])
def test_shapes_at_both_resolutions(size, channels, classes):
    cfg = T2IConfig(text_dim=24, text_proj=8, latent_dim=16, width=8, channels=channels,
                    image_size=size, num_classes=classes)
    g, d = build_models(cfg)
    z, text = torch.randn(5, 16), torch.randn(5, 24)
    images = g(z, text)
    assert images.shape == (5, channels, size, size)
    assert images.min() >= -1 and images.max() <= 1  # tanh
    logit, class_logits, _ = d(images, text)
    assert logit.shape == (5,) and class_logits.shape == (5, classes)


def test_the_caption_changes_the_image():
    g, _ = build_models(T2IConfig(text_dim=12, width=4, latent_dim=8, text_proj=8))
    g.eval()
    z = torch.randn(1, 8).expand(2, -1)
    a, b = g(z, torch.randn(2, 12))
    assert not torch.allclose(a, b)


def test_registered_with_the_text_objective():
    from ganforge.training.run import OBJECTIVES, adversarial_objective
    from ganforge.training.text_objective import TextConditionalObjective

    assert OBJECTIVES[condition_of(T2IConfig())] == TextConditionalObjective.from_config
    assert OBJECTIVES[condition_of(DCGAN28Config())] is adversarial_objective


@pytest.mark.parametrize("changes, message", [
    ({"text_dim": 0}, "needs a data set with captions"),
    ({"text_dim": 8, "image_size": 32}, "arch t2i builds 28, 64 or 128 px images, not 32x32"),
    ({"text_dim": 8, "width": 0}, "width must be at least 1"),
])
def test_sizes_it_cannot_build(changes, message):
    with pytest.raises(ConfigError, match=message):
        build_models(T2IConfig(**changes))


def test_the_generator_asks_for_a_caption():
    g, _ = build_models(T2IConfig(text_dim=8, width=4))
    with pytest.raises(ConfigError, match="ganforge generate"):
        g(torch.randn(2, 100))


def test_options_off_keep_the_networks_as_they_were():
    """The shipped t2i-fashion weights load: no option adds a weight when off."""
    g, d = build_models(T2IConfig(text_dim=8, width=4))
    assert not any(k.startswith(("ca.", "embed.")) for k in [*g.state_dict(), *d.state_dict()])
    assert d.joint[0].in_features == 4 * 4 * 16 + 128  # [image ; text]


def test_projection_logit_is_the_base_plus_the_inner_product():
    torch.manual_seed(0)
    cfg = T2IConfig(text_dim=12, text_proj=8, latent_dim=8, width=4, text_head="projection")
    _, d = build_models(cfg)
    d.eval()
    x, text = torch.randn(3, 1, 28, 28), torch.randn(3, 12)
    logit, classes, _ = d(x, text)
    h = d.joint(d.image(x))  # D's image feature vector: the image alone
    expected = d.real_fake(h).flatten() + (h * d.embed(d.project(text))).sum(1)
    assert torch.allclose(logit, expected, atol=1e-6)
    other_logit, other_classes, _ = d(x, torch.randn(3, 12))
    assert torch.allclose(classes, other_classes)  # the class head reads the image alone
    assert not torch.allclose(logit, other_logit)  # the caption moves the logit


def test_kl_is_zero_at_the_standard_normal_and_positive_elsewhere():
    from ganforge.models.text_input import kl_to_standard

    zeros = torch.zeros(4, 6)
    assert kl_to_standard(zeros, zeros).item() == 0.0
    assert kl_to_standard(zeros + 0.5, zeros).item() == pytest.approx(0.125)  # mu^2 / 2
    assert kl_to_standard(zeros, zeros + 1.0).item() == pytest.approx(0.5 * (torch.e - 2))
    assert kl_to_standard(torch.randn(4, 6), torch.randn(4, 6)).item() > 0


def test_conditioning_augmentation_samples_around_mu():
    from ganforge.models.text_input import ConditioningAugmentation

    torch.manual_seed(0)
    ca = ConditioningAugmentation(3)
    with torch.no_grad():  # mu = (1, -2, 0.5), log sigma^2 = log 0.25 (sigma 0.5), any input
        ca.stats.weight.zero_()
        ca.stats.bias.copy_(torch.tensor([1.0, -2.0, 0.5, *[float(torch.log(torch.tensor(0.25)))]
                                          * 3]))
    c, kl = ca(torch.randn(20_000, 3))
    assert torch.allclose(c.mean(0), torch.tensor([1.0, -2.0, 0.5]), atol=0.02)
    assert torch.allclose(c.std(0), torch.full((3,), 0.5), atol=0.02)
    assert kl.item() > 0
    ca.eval()
    c, _ = ca(torch.randn(5, 3))
    assert torch.allclose(c, torch.tensor([1.0, -2.0, 0.5]).expand(5, -1))  # eval: c = mu


def test_generator_with_ca_reports_its_kl_and_samples_are_seeded_in_eval():
    torch.manual_seed(0)
    g, _ = build_models(T2IConfig(text_dim=12, width=4, latent_dim=8, text_proj=8,
                                  ca_weight=2.0))
    z, text = torch.randn(2, 8), torch.randn(2, 12)
    images, kl = g(z, text, with_kl=True)
    assert images.shape == (2, 1, 28, 28) and kl.item() > 0
    g.eval()
    assert g(z, text).equal(g(z, text))  # c = mu: the same noise, the same images
    plain, _ = build_models(T2IConfig(text_dim=12, width=4, latent_dim=8, text_proj=8))
    assert plain(z, text, with_kl=True)[1].item() == 0.0


@pytest.mark.parametrize("changes, message", [
    ({"hard_mismatch": 1.5}, "hard_mismatch must be at most 1"),
    ({"ma_gp_weight": -1.0}, "ma_gp_weight must be 0 or more"),
    ({"ca_weight": -0.1}, "ca_weight must be 0 or more"),
    ({"ma_gp_power": 0.0}, "ma_gp_power must be more than 0"),
])
def test_option_values_it_refuses(changes, message):
    with pytest.raises(ConfigError, match=message):
        build_models(T2IConfig(text_dim=8, **changes))


@pytest.mark.parametrize("size, g_outs, d_outs", [
    (64, [64, 32, 16, 8, 3], [8, 16, 32, 64]),
    (128, [128, 64, 32, 16, 8, 3], [8, 16, 32, 64, 128]),  # one more block, widest 16w
])
def test_layers_at_64_and_128(size, g_outs, d_outs):
    from torch import nn

    g, d = build_models(T2IConfig(text_dim=8, width=8, channels=3, image_size=size))
    assert [m.out_channels for m in g.modules() if isinstance(m, nn.ConvTranspose2d)] == g_outs
    assert [m.out_channels for m in d.image if isinstance(m, nn.Conv2d)] == d_outs
    assert d.joint[0].in_features == d_outs[-1] * 16 + 128  # (B, m w, 4, 4) ; text


def test_polar_channels_at_128():
    cfg = T2IConfig(text_dim=8, width=4, channels=3, image_size=128, polar_harmonics=2,
                    polar_in="g+d")
    g, d = build_models(cfg)
    images = g(torch.randn(2, 100), torch.randn(2, 8))
    assert images.shape == (2, 3, 128, 128)
    from ganforge.models.polar import PolarFeatures

    sizes = [m.maps.shape[-1] for m in [*g.modules(), *d.modules()]
             if isinstance(m, PolarFeatures)]
    assert sizes == [32, 64, 32]  # G's last two up-sampling inputs; D's third conv


def test_without_classes_the_discriminator_has_no_class_head():
    cfg = T2IConfig(text_dim=8, text_proj=8, latent_dim=8, width=4, num_classes=0)
    g, d = build_models(cfg)
    assert d.classes is None
    assert not any(k.startswith("classes.") for k in d.state_dict())
    text = torch.randn(3, 8)
    logit, classes, _ = d(g(torch.randn(3, 8), text), text)
    assert logit.shape == (3,) and classes is None
    _, d_proj = build_models(T2IConfig(text_dim=8, width=4, num_classes=0,
                                       text_head="projection"))
    assert d_proj(torch.randn(2, 1, 28, 28), torch.randn(2, 8))[1] is None


@pytest.mark.parametrize("changes, message", [
    ({"num_classes": 1}, "num_classes must be 0 .no classes. or at least 2, got 1"),
    ({"num_classes": 0, "hard_mismatch": 0.5}, "hard_mismatch .* needs a data set with classes"),
])
def test_class_settings_it_refuses(changes, message):
    with pytest.raises(ConfigError, match=message):
        T2IConfig(text_dim=8, **changes)
