"""Polar position channels: their values, where G and D take them, and that off changes
nothing."""

import math

import pytest
import torch
from torch import nn

from ganforge.config import resolve_config
from ganforge.errors import ConfigError
from ganforge.models import build_models
from ganforge.models.polar import PolarFeatures, polar_channels, polar_maps
from ganforge.models.t2i import T2IConfig


def test_maps_hold_the_radius_and_the_harmonics_of_the_angle():
    maps = polar_maps(3, 9)  # centre pixel (4, 4)
    assert maps.shape == (7, 9, 9)
    assert maps[0, 4, 4] == 0 and maps[0, 4, 8].item() == pytest.approx(4 / 4.5)
    right, below = maps[:, 4, 8], maps[:, 8, 4]  # phi = 0, phi = pi / 2 (rows grow down)
    for k in (1, 2, 3):
        assert right[k].item() == pytest.approx(1.0)  # cos(k * 0)
        assert right[3 + k].item() == pytest.approx(0.0, abs=1e-6)  # sin(k * 0)
        assert below[k].item() == pytest.approx(math.cos(k * math.pi / 2), abs=1e-6)
        assert below[3 + k].item() == pytest.approx(math.sin(k * math.pi / 2), abs=1e-6)


def test_k_fold_symmetry_lies_in_the_k_th_harmonic_alone():
    """Rotating the grid by 2 pi / 4 leaves cos(4 phi) as it was, and cos(3 phi) not."""
    maps = polar_maps(4, 16)
    turned = torch.rot90(maps, 1, dims=(1, 2))
    assert torch.allclose(turned[4], maps[4], atol=1e-5)
    assert not torch.allclose(turned[3], maps[3], atol=1e-2)


def test_features_are_appended_and_kept_out_of_the_state_dict():
    layer = PolarFeatures(2, 8)
    x = torch.randn(3, 5, 8, 8)
    y = layer(x)
    assert y.shape == (3, 5 + polar_channels(2), 8, 8) and torch.equal(y[:, :5], x)
    assert torch.equal(y[1, 5:], polar_maps(2, 8)) and not layer.state_dict()
    assert polar_channels(0) == 0


def _inputs(net) -> list[int]:
    """The input channels of each (transposed) convolution, in order."""
    return [m.in_channels for m in net.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]


@pytest.mark.parametrize("size, channels", [(28, 1), (64, 3)])
def test_g_and_d_take_the_channels_where_the_config_says(size, channels):
    base = dict(text_dim=12, text_proj=8, latent_dim=8, width=4, channels=channels,
                image_size=size, num_classes=5)
    g0, d0 = build_models(T2IConfig(**base))
    g, d = build_models(T2IConfig(**base, polar_harmonics=3))
    g2, d2 = build_models(T2IConfig(**base, polar_harmonics=3, polar_in="g+d"))
    plus = [b - a for a, b in zip(_inputs(g0), _inputs(g), strict=True)]
    assert plus[-2:] == [7, 7] and not any(plus[:-2])  # G's last two up-sampling layers
    assert _inputs(d) == _inputs(d0) and _inputs(g2) == _inputs(g)  # "g": D as it was
    plus = [b - a for a, b in zip(_inputs(d0), _inputs(d2), strict=True)]
    assert plus[2] == 7 and sum(plus) == 7  # D's third convolution
    z, text = torch.randn(2, 8), torch.randn(2, 12)
    images = g2(z, text)
    assert images.shape == (2, channels, size, size)
    assert d2(images, text)[0].shape == (2,)


@pytest.mark.parametrize("changes, message", [
    ({"polar_harmonics": -1}, "polar_harmonics must be 0 or more"),
    ({"polar_harmonics": 33}, "polar_harmonics must be at most 32"),
])
def test_values_it_refuses(changes, message):
    with pytest.raises(ConfigError, match=message):
        build_models(T2IConfig(text_dim=8, **changes))


def test_a_network_name_it_does_not_know_is_a_one_line_error():
    with pytest.raises(ConfigError, match="--polar-in"):
        resolve_config("t2i-synthetic-flowers", overrides={"polar_in": "d"})
