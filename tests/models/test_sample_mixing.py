"""Packing and minibatch std: D's layers that look across the samples of a batch."""

import pytest
import torch

from ganforge.errors import ConfigError
from ganforge.models.dcgan28 import DCGAN28Config, DCGAN28Discriminator
from ganforge.models.mlp import MLPConfig, MLPDiscriminator
from ganforge.models.sample_mixing import MinibatchStd, Pack, mixes_samples
from ganforge.training.objectives import score_both


def test_pack_joins_consecutive_images_along_channels():
    x = torch.arange(4 * 2 * 3 * 3, dtype=torch.float32).view(4, 2, 3, 3)
    packed = Pack(2)(x)
    assert packed.shape == (2, 4, 3, 3)
    assert torch.equal(packed[0, :2], x[0]) and torch.equal(packed[0, 2:], x[1])
    assert torch.equal(packed[1, :2], x[2]) and torch.equal(packed[1, 2:], x[3])
    with pytest.raises(ValueError, match="packs of 3"):
        Pack(3)(x)


def test_packed_dcgan_discriminator_sees_m_times_the_channels():
    d = DCGAN28Discriminator(DCGAN28Config(pack=3))
    assert d.net[0].in_channels == 3
    assert d(torch.randn(6, 1, 28, 28)).shape == (2,)  # one logit per pack


def test_packed_mlp_discriminator_sees_m_concatenated_vectors():
    d = MLPDiscriminator(MLPConfig(pack=2, d_hidden=[16]))
    assert d.net[0].in_features == 2 * 784
    assert d(torch.randn(8, 1, 28, 28)).shape == (4,)


def test_real_packs_never_mix_with_fake():
    """score_both sends real and fake through a packed D apart: each logit depends on
    one kind of image only."""
    d = DCGAN28Discriminator(DCGAN28Config(pack=2, d_norm="none"))
    real = torch.randn(4, 1, 28, 28, requires_grad=True)
    fake = torch.randn(4, 1, 28, 28, requires_grad=True)
    real_logits, fake_logits = score_both(d, real, fake)
    assert real_logits.shape == fake_logits.shape == (2,)
    (grad_fake,) = torch.autograd.grad(real_logits.sum(), fake, allow_unused=True)
    assert grad_fake is None or not grad_fake.any()
    (grad_real,) = torch.autograd.grad(fake_logits.sum(), real, allow_unused=True)
    assert grad_real is None or not grad_real.any()
    assert mixes_samples(d) and not mixes_samples(torch.nn.Linear(2, 2))


def test_minibatch_std_channel_equals_the_groups_standard_deviation():
    x = torch.randn(8, 3, 4, 4)
    out = MinibatchStd(group=4)(x)
    assert out.shape == (8, 4, 4, 4) and torch.equal(out[:, :3], x)
    for g in range(2):
        group = x[4 * g : 4 * g + 4]
        want = group.std(dim=0, unbiased=False).mean()
        assert torch.allclose(out[4 * g : 4 * g + 4, 3], want.expand(4, 4, 4), atol=1e-5)


def test_minibatch_std_on_vectors_and_odd_batches():
    layer = MinibatchStd(group=4)
    assert layer.group_size(6) == 3 and layer.group_size(7) == 1
    x = torch.randn(6, 5)
    out = layer(x)
    assert out.shape == (6, 6)
    assert torch.allclose(out[:3, 5], x[:3].std(0, unbiased=False).mean().expand(3), atol=1e-5)


def test_minibatch_std_is_added_before_ds_last_layer():
    d = DCGAN28Discriminator(DCGAN28Config(mbstd=4))
    assert d.net[-1].in_channels == 4 * 32 + 1
    assert d(torch.randn(8, 1, 28, 28)).shape == (8,)
    m = MLPDiscriminator(MLPConfig(mbstd=2, d_hidden=[16]))
    assert m.net[-1].in_features == 17


@pytest.mark.parametrize("kwargs", [{"pack": 0}, {"mbstd": 1}, {"mbstd": -2}])
def test_bad_pack_or_group_fails_at_construction(kwargs):
    with pytest.raises(ConfigError):
        DCGAN28Config(**kwargs)
    with pytest.raises(ConfigError):
        MLPConfig(**kwargs)
