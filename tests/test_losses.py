import math

import pytest
import torch

from ganforge.errors import ConfigError
from ganforge.losses import (
    LOSSES,
    bce_d_loss,
    get_loss,
    hinge_d_loss,
    least_squares_d_loss,
    least_squares_g_loss,
    minimax_g_loss,
    non_saturating_g_loss,
    wasserstein_d_loss,
    wasserstein_g_loss,
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
    low, high = torch.tensor([0.0]), torch.tensor([0.8])  # below least squares' target 1
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


REAL, FAKE = torch.tensor([2.0, -1.0, 0.5]), torch.tensor([0.5, -3.0, 1.5])


def test_least_squares_by_hand():
    d = 0.5 * ((1.0 + 4.0 + 0.25) / 3) + 0.5 * ((0.25 + 9.0 + 2.25) / 3)
    assert least_squares_d_loss(real_logits=REAL, fake_logits=FAKE).item() == pytest.approx(d)
    g = 0.5 * ((0.25 + 16.0 + 0.25) / 3)
    assert least_squares_g_loss(fake_logits=FAKE).item() == pytest.approx(g)
    smoothed = 0.5 * ((1.1**2 + 1.9**2 + 0.4**2) / 3) + 0.5 * ((0.25 + 9.0 + 2.25) / 3)
    got = least_squares_d_loss(real_logits=REAL, fake_logits=FAKE, real_target=0.9).item()
    assert got == pytest.approx(smoothed)


def test_wasserstein_by_hand():
    d = (0.5 - 3.0 + 1.5) / 3 - (2.0 - 1.0 + 0.5) / 3
    assert wasserstein_d_loss(real_logits=REAL, fake_logits=FAKE).item() == pytest.approx(d)
    assert wasserstein_g_loss(fake_logits=FAKE).item() == pytest.approx(-(0.5 - 3.0 + 1.5) / 3)
    assert get_loss("wasserstein-gp").d_loss is wasserstein_d_loss


def test_hinge_by_hand():
    # real: max(0, 1 - r) = 0, 2, 0.5; fake: max(0, 1 + f) = 1.5, 0, 2.5
    d = (0 + 2 + 0.5) / 3 + (1.5 + 0 + 2.5) / 3
    assert hinge_d_loss(real_logits=REAL, fake_logits=FAKE).item() == pytest.approx(d)
    assert get_loss("hinge").g_loss(fake_logits=FAKE).item() == pytest.approx(1.0 / 3)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_d_loss_falls_when_real_scores_rise_and_fake_scores_fall(name):
    loss = get_loss(name).d_loss
    mid = torch.tensor([0.0, 0.2])
    for lo, hi in ((-0.5, 0.5), (0.0, 0.9)):  # real scores below least squares' target 1
        low, high = torch.full((2,), lo), torch.full((2,), hi)
        assert loss(real_logits=high, fake_logits=mid) < loss(real_logits=low, fake_logits=mid)
    for lo, hi in ((0.0, 0.5), (0.1, 0.9)):  # fake scores above least squares' target 0
        low, high = torch.full((2,), lo), torch.full((2,), hi)
        assert loss(real_logits=mid, fake_logits=low) < loss(real_logits=mid, fake_logits=high)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_g_loss_falls_when_fake_scores_rise(name):
    loss = get_loss(name).g_loss
    assert loss(fake_logits=torch.tensor([0.5])) < loss(fake_logits=torch.tensor([-0.5]))


def test_registry_names_and_needs():
    assert sorted(LOSSES) == ["hinge", "least-squares", "minimax", "non-saturating",
                              "wasserstein", "wasserstein-gp"]
    w, gp = get_loss("wasserstein"), get_loss("wasserstein-gp")
    assert (w.critic_steps, w.clip, w.gp_weight) == (5, 0.01, 0.0)
    assert (gp.critic_steps, gp.clip, gp.gp_weight) == (5, None, 10.0)
    for name in ("non-saturating", "minimax", "least-squares", "hinge"):
        loss = get_loss(name)
        assert (loss.critic_steps, loss.clip, loss.gp_weight) == (1, None, 0.0)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_d_loss_is_the_sum_of_its_real_and_fake_sides(name):
    loss = get_loss(name)
    expected = loss.d_loss(real_logits=REAL, fake_logits=FAKE, real_target=0.9)
    assert torch.allclose(loss.d_real(REAL, 0.9) + loss.d_fake(FAKE), expected)
