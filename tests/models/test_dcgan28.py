import pytest
import torch
from torch import nn

from ganforge.models.dcgan28 import DCGAN28Config, build


def _convs(module, kind):
    return [(m.in_channels, m.out_channels, m.kernel_size[0], m.stride[0], m.padding[0],
             m.bias is None) for m in module.modules() if isinstance(m, kind)]


def test_spec_layers():
    g, d = build(DCGAN28Config())
    assert _convs(d, nn.Conv2d) == [
        (1, 32, 4, 2, 1, True), (32, 64, 4, 2, 1, True),
        (64, 128, 3, 2, 1, True), (128, 1, 4, 1, 0, True)]
    assert _convs(g, nn.ConvTranspose2d) == [
        (100, 128, 4, 2, 0, True), (128, 64, 3, 2, 1, True),
        (64, 32, 4, 2, 1, True), (32, 1, 4, 2, 1, True)]
    assert [m.num_features for m in d.modules() if isinstance(m, nn.BatchNorm2d)] == [64, 128]
    assert [m.num_features for m in g.modules() if isinstance(m, nn.BatchNorm2d)] == [128, 64, 32]


def test_shapes_through_the_layers():
    g, d = build(DCGAN28Config())
    z = torch.randn(3, 100)
    x = g(z)
    assert x.shape == (3, 1, 28, 28)
    assert x.abs().max() <= 1
    shapes = []
    h = x
    for layer in d.net:
        h = layer(h)
        if isinstance(layer, nn.Conv2d):
            shapes.append(tuple(h.shape[1:]))
    assert shapes == [(32, 14, 14), (64, 7, 7), (128, 4, 4), (1, 1, 1)]
    assert d(x).shape == (3,)


@pytest.mark.parametrize("channels", [1, 3])
def test_channels(channels):
    g, d = build(DCGAN28Config(channels=channels))
    assert g(torch.randn(2, 100)).shape == (2, channels, 28, 28)
    assert d(torch.randn(2, channels, 28, 28)).shape == (2,)


def test_dcgan_init_statistics():
    torch.manual_seed(0)
    g, _ = build(DCGAN28Config())
    w = g.net[0].weight
    assert abs(w.mean().item()) < 0.002
    assert 0.018 < w.std().item() < 0.022
