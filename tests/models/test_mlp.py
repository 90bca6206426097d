import torch
from torch import nn

from ganforge.models.mlp import MLPConfig, build


def test_spec_sizes_and_shapes():
    g, d = build(MLPConfig())
    g_linear = [m for m in g.modules() if isinstance(m, nn.Linear)]
    d_linear = [m for m in d.modules() if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in g_linear] == [
        (100, 256), (256, 512), (512, 1024), (1024, 784)]
    assert [(m.in_features, m.out_features) for m in d_linear] == [
        (784, 1024), (1024, 512), (512, 256), (256, 1)]
    dropouts = [m.p for m in d.modules() if isinstance(m, nn.Dropout)]
    assert dropouts == [0.3, 0.3, 0.3]
    slopes = {m.negative_slope for m in d.modules() if isinstance(m, nn.LeakyReLU)}
    assert slopes == {0.2}
    z = torch.randn(5, 100)
    x = g(z)
    assert x.shape == (5, 1, 28, 28)
    assert x.min() >= -1 and x.max() <= 1
    assert d(x).shape == (5,)


def test_batchnorm_variant_and_colour_shape():
    g, d = build(MLPConfig(g_batchnorm=True, channels=3, image_size=8))
    assert sum(isinstance(m, nn.BatchNorm1d) for m in g.modules()) == 3
    assert g(torch.randn(4, 100)).shape == (4, 3, 8, 8)
    assert d(torch.randn(4, 3, 8, 8)).shape == (4,)
