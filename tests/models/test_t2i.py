"""The text-to-image networks: shapes at both resolutions, and clear errors."""

import pytest
import torch

from ganforge.errors import ConfigError
from ganforge.models import build_models, get_architecture
from ganforge.models.t2i import T2IConfig


@pytest.mark.parametrize("size, channels, classes", [(28, 1, 10), (64, 3, 102)])
def test_shapes_at_both_resolutions(size, channels, classes):
    cfg = T2IConfig(text_dim=24, text_proj=8, latent_dim=16, width=8, channels=channels,
                    image_size=size, num_classes=classes)
    g, d = build_models(cfg)
    z, text = torch.randn(5, 16), torch.randn(5, 24)
    images = g(z, text)
    assert images.shape == (5, channels, size, size)
    assert images.min() >= -1 and images.max() <= 1  # tanh
    logit, class_logits = d(images, text)
    assert logit.shape == (5,) and class_logits.shape == (5, classes)


def test_the_caption_changes_the_image():
    g, _ = build_models(T2IConfig(text_dim=12, width=4, latent_dim=8, text_proj=8))
    g.eval()
    z = torch.randn(1, 8).expand(2, -1)
    a, b = g(z, torch.randn(2, 12))
    assert not torch.allclose(a, b)


def test_registered_with_the_text_objective():
    assert get_architecture("t2i").objective == "text-conditional"
    assert get_architecture("dcgan28").objective == "adversarial"


@pytest.mark.parametrize("changes, message", [
    ({"text_dim": 0}, "needs a data set with captions"),
    ({"text_dim": 8, "image_size": 32}, "28x28 or 64x64"),
    ({"text_dim": 8, "width": 0}, "width must be at least 1"),
])
def test_sizes_it_cannot_build(changes, message):
    with pytest.raises(ConfigError, match=message):
        build_models(T2IConfig(**changes))


def test_the_generator_asks_for_a_caption():
    g, _ = build_models(T2IConfig(text_dim=8, width=4))
    with pytest.raises(ConfigError, match="ganforge generate"):
        g(torch.randn(2, 100))
