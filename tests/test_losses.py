import math

import pytest
import torch

from ganforge.errors import ConfigError
from ganforge.losses import (
    LOSSES,
    bce_d_loss,
    get_loss,
    minimax_g_loss,
    non_saturating_g_loss,
)


def sig(x):
    return 1 / (1 + math.exp(-x))


def test_d_loss_by_hand():
    real, fake = torch.tensor([2.0, -1.0]), torch.tensor([0.5, -3.0])
    expect_real = -(math.log(sig(2.0)) + math.log(sig(-1.0))) / 2
    expect_fake = -(math.log(1 - sig(0.5)) + math.log(1 - sig(-3.0))) / 2
    got = bce_d_loss(real_logits=real, fake_logits=fake).item()
    assert got == pytest.approx(expect_real + expect_fake, rel=1e-6)


def test_label_smoothing_by_hand():
    real, fake = torch.tensor([1.5]), torch.tensor([0.0])
    t = 0.9
    expect = -(t * math.log(sig(1.5)) + (1 - t) * math.log(1 - sig(1.5))) + math.log(2)
    got = bce_d_loss(real_logits=real, fake_logits=fake, real_target=t).item()
    assert got == pytest.approx(expect, rel=1e-6)
    assert got > bce_d_loss(real_logits=real, fake_logits=fake).item()


def test_generator_losses_by_hand():
    fake = torch.tensor([0.3, -2.0])
    ns = -(math.log(sig(0.3)) + math.log(sig(-2.0))) / 2
    mm = (math.log(1 - sig(0.3)) + math.log(1 - sig(-2.0))) / 2
    assert non_saturating_g_loss(fake_logits=fake).item() == pytest.approx(ns, rel=1e-6)
    assert minimax_g_loss(fake_logits=fake).item() == pytest.approx(mm, rel=1e-6)


def test_minimax_saturates_where_non_saturating_does_not():
    # D confidently rejects G's samples: the minimax gradient vanishes, the other does not.
    logits = torch.tensor([-8.0], requires_grad=True)
    minimax_g_loss(fake_logits=logits).backward()
    g_mm = logits.grad.abs().item()
    logits.grad = None
    non_saturating_g_loss(fake_logits=logits).backward()
    g_ns = logits.grad.abs().item()
    assert g_mm < 1e-3 < 0.99 < g_ns


def test_sign_conventions():
    low, high = torch.tensor([0.0]), torch.tensor([3.0])
    fake = torch.tensor([0.0])
    assert bce_d_loss(real_logits=high, fake_logits=fake) < bce_d_loss(
        real_logits=low, fake_logits=fake)
    for loss in LOSSES.values():
        assert loss.g_loss(fake_logits=high) < loss.g_loss(fake_logits=low)


def test_stable_at_extreme_logits():
    big = torch.tensor([80.0, -80.0])
    for loss in LOSSES.values():
        assert torch.isfinite(loss.d_loss(real_logits=big, fake_logits=big))
        assert torch.isfinite(loss.g_loss(fake_logits=big))


def test_registry():
    assert get_loss("minimax").name == "minimax"
    with pytest.raises(ConfigError, match="unknown loss 'hinged'"):
        get_loss("hinged")
