"""Penalties, clipping, spectral norm, instance noise and how a run composes them."""

from types import SimpleNamespace

import pytest
import torch
from torch import nn

from ganforge.config import LossConfig, resolve_config
from ganforge.errors import ConfigError
from ganforge.losses import get_loss
from ganforge.models.dcgan28 import DCGAN28Config, DCGAN28Discriminator
from ganforge.models.spectral import spectral_normalize
from ganforge.training.regularizers import (
    GradientPenalty,
    InstanceNoise,
    LoopProgress,
    R1Penalty,
    WeightClip,
    plan_stabilisers,
)
from ganforge.training.run import build_trainer
from ganforge.training.trainer import Phase


class Linear(nn.Module):
    """D(x) = w . flatten(x): its input gradient is w everywhere, of norm |w|."""

    def __init__(self, w):
        super().__init__()
        self.w = nn.Parameter(w.clone())

    def forward(self, x):
        return x.flatten(1) @ self.w


class HalfSquare(nn.Module):
    """D(x) = |x|^2 / 2: its input gradient is x, of norm |x|."""

    def forward(self, x):
        return 0.5 * (x.flatten(1) ** 2).sum(1)


def test_gradient_penalty_of_a_linear_critic_by_hand():
    w = torch.tensor([3.0, 4.0, 0.0, 0.0])  # |w| = 5 -> (5 - 1)^2 = 16 at every interpolate
    d = Linear(w)
    real, fake = torch.randn(6, 1, 2, 2), torch.randn(6, 1, 2, 2)
    gp = GradientPenalty(10.0)(d, real, fake)
    assert gp.item() == pytest.approx(160.0)
    gp.backward()  # d/dw 10 (|w| - 1)^2 = 20 (|w| - 1) w / |w|
    assert torch.allclose(d.w.grad, 20 * 4 * w / 5)


def test_gradient_penalty_vanishes_for_a_unit_gradient():
    d = Linear(torch.tensor([0.6, 0.8, 0.0, 0.0]))
    gp = GradientPenalty(10.0)(d, torch.randn(4, 1, 2, 2), torch.randn(4, 1, 2, 2))
    assert gp.item() == pytest.approx(0.0, abs=1e-10)


def test_r1_penalty_by_hand():
    real = torch.tensor([[3.0, 4.0], [1.0, 0.0]]).view(2, 1, 1, 2)  # |x|^2 = 25, 1
    r1 = R1Penalty(2.0)(HalfSquare(), real, torch.zeros_like(real))
    assert r1.item() == pytest.approx(0.5 * 2.0 * (25 + 1) / 2)


def test_weight_clip_bounds_every_parameter():
    d = DCGAN28Discriminator(DCGAN28Config())
    WeightClip(0.01)(d)
    assert all(p.abs().max() <= 0.01 for p in d.parameters())
    assert any(p.abs().max() == 0.01 for p in d.parameters())  # some were clamped


def test_spectral_norm_makes_the_largest_singular_value_one():
    torch.manual_seed(0)
    layer = nn.Linear(64, 32)
    with torch.no_grad():
        layer.weight.mul_(10)
    assert torch.linalg.matrix_norm(layer.weight.detach(), ord=2) > 5
    d = spectral_normalize(nn.Sequential(layer)).train()
    for _ in range(30):  # each training forward pass is one power iteration
        d(torch.randn(4, 64))
    sigma = torch.linalg.matrix_norm(layer.weight.detach(), ord=2).item()
    assert sigma == pytest.approx(1.0, abs=0.02)


def test_spectral_norm_wraps_every_conv_of_the_dcgan_critic():
    torch.manual_seed(0)
    d = spectral_normalize(DCGAN28Discriminator(DCGAN28Config()))
    convs = [m for m in d.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) == 4
    assert all(hasattr(m, "parametrizations") for m in convs)
    d.train()
    for _ in range(10):
        d(torch.randn(2, 1, 28, 28))
    for conv in convs:  # a conv layer's weight, as the (out, in * k * k) matrix
        sigma = torch.linalg.matrix_norm(conv.weight.detach().flatten(1), ord=2).item()
        assert sigma == pytest.approx(1.0, abs=0.03)


def test_instance_noise_anneals_linearly_to_zero():
    noise = InstanceNoise(0.2)
    images = torch.zeros(20000)
    for progress, std in ((0.0, 0.2), (0.5, 0.1), (1.0, 0.0)):
        noise.progress = lambda p=progress: p
        assert noise.current_std() == pytest.approx(std)
        assert noise(images).std().item() == pytest.approx(std, abs=0.01)
    assert noise(images) is images  # at the end of the run D sees the images themselves


def _fake_loop(**train):
    cfg = SimpleNamespace(**{"epochs": 4, "max_steps": None, "max_minutes": None, **train})
    trainer = SimpleNamespace(schedule=[Phase("discriminator", 1), Phase("generator", 5)])
    return SimpleNamespace(train_cfg=cfg, trainer=trainer, batches_per_epoch=20,
                           state=SimpleNamespace(step=4), started=None)


def test_loop_progress_counts_generator_steps_of_the_planned_run():
    loop = _fake_loop()
    progress = LoopProgress(loop)
    assert progress.planned_steps() == 16 and progress() == pytest.approx(0.25)
    loop.train_cfg.max_steps = 8
    assert progress() == pytest.approx(0.5)


def test_loop_progress_of_a_budgeted_run_is_the_time_spent_when_further(monkeypatch):
    from ganforge.training import regularizers

    loop = _fake_loop(max_minutes=2.0)
    loop.started = 1000.0
    monkeypatch.setattr(regularizers.time, "monotonic", lambda: 1000.0 + 90.0)
    assert LoopProgress(loop)() == pytest.approx(0.75)  # 90 s of 120, ahead of 4/16 steps
    monkeypatch.setattr(regularizers.time, "monotonic", lambda: 1000.0 + 6.0)
    assert LoopProgress(loop)() == pytest.approx(0.25)  # the steps are further along
    monkeypatch.setattr(regularizers.time, "monotonic", lambda: 1000.0 + 600.0)
    assert LoopProgress(loop)() == 1.0


def test_plan_takes_the_loss_needs_and_the_run_options():
    plan = plan_stabilisers(get_loss("wasserstein"), LossConfig("wasserstein"), None)
    assert plan.d_steps == 5 and plan.d_hooks == (WeightClip(0.01),) and plan.penalties == ()
    plan = plan_stabilisers(get_loss("wasserstein"), LossConfig("wasserstein", clip=0.0), 2)
    assert plan.d_steps == 2 and plan.d_hooks == ()
    plan = plan_stabilisers(get_loss("wasserstein-gp"), LossConfig("wasserstein-gp"), None)
    assert plan.penalties == (GradientPenalty(10.0),) and plan.d_hooks == ()
    cfg = LossConfig("hinge", gp_weight=5.0, r1_weight=1.0, instance_noise=0.1)
    plan = plan_stabilisers(get_loss("hinge"), cfg, None)
    assert plan.d_steps == 1 and plan.penalties == (GradientPenalty(5.0), R1Penalty(1.0))
    assert plan.instance_noise.std == 0.1


def _dcgan(**overrides):
    return build_trainer(resolve_config("dcgan-mnist", overrides=overrides))


def test_critic_norm_options_keep_the_layer_indices():
    spec = _dcgan()
    norms = [type(m).__name__ for m in spec.discriminator.net]
    assert norms[3] == norms[6] == "BatchNorm2d"  # the SPEC's layers by default
    layer = _dcgan(d_norm="layer", loss="wasserstein-gp")
    assert isinstance(layer.discriminator.net[3], nn.GroupNorm)
    assert layer.discriminator.net[3].num_groups == 1
    assert isinstance(_dcgan(d_norm="none").discriminator.net[6], nn.Identity)


def test_gradient_penalty_refuses_a_batchnorm_critic():
    with pytest.raises(ConfigError, match="use --d-norm layer"):
        _dcgan(loss="wasserstein-gp")
    assert _dcgan(loss="wasserstein-gp", gp_weight="0").objective.penalties == ()


def test_trainer_runs_the_loss_needs():
    t = build_trainer(resolve_config("mlp-mnist", overrides={
        "g_hidden": "16", "d_hidden": "16", "loss": "wasserstein", "d_steps": "none"}))
    assert [p.interval for p in t.schedule] == [1, 5]
    from ganforge.training.batch import Batch

    t.d_step(Batch(torch.rand(8, 1, 28, 28) * 2 - 1))
    assert max(p.abs().max().item() for p in t.discriminator.parameters()) <= 0.01


def test_bad_options_are_one_line_errors():
    with pytest.raises(ConfigError, match="r1_weight must be 0"):
        resolve_config("dcgan-mnist", overrides={"r1_weight": "-1"})
    with pytest.raises(ConfigError, match="ema must be less than 1"):
        resolve_config("dcgan-mnist", overrides={"ema": "1.5"})
    with pytest.raises(ConfigError, match="--d-norm"):
        resolve_config("dcgan-mnist", overrides={"d_norm": "group"})


def test_matching_aware_penalty_on_a_function_with_a_known_gradient():
    from ganforge.training.regularizers import MatchingAwarePenalty

    images = torch.randn(3, 1, 2, 2, requires_grad=True)
    text = torch.randn(3, 5, requires_grad=True)
    # D_i = |x_i|^2 / 2 + |t_i|^2: grad_x = x_i, grad_t = 2 t_i
    logits = 0.5 * images.flatten(1).pow(2).sum(1) + text.pow(2).sum(1)
    squared = images.detach().flatten(1).pow(2).sum(1) + 4 * text.detach().pow(2).sum(1)
    value = MatchingAwarePenalty(2.0, 6.0)(logits, images, text)
    assert torch.allclose(value, 2.0 * (squared ** 3).mean())
    assert MatchingAwarePenalty(1.0, 2.0)(0.5 * images.flatten(1).pow(2).sum(1) + text.pow(2)
                                          .sum(1), images, text).item() == \
        pytest.approx(squared.mean().item(), rel=1e-6)
    value.backward()  # differentiable: the graph was kept
    assert images.grad is not None
