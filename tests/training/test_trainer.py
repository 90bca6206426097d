import pytest
import torch

from ganforge.config import resolve_config
from ganforge.training.batch import Batch
from ganforge.training.run import build_trainer
from ganforge.training.trainer import Divergence, default_schedule


def _trainer(**overrides):
    cfg = resolve_config("mlp-mnist", overrides={"g_hidden": "16", "d_hidden": "16", **overrides})
    return build_trainer(cfg)


def _params(module):
    return [p.detach().clone() for p in module.parameters()]


def _changed(before, module):
    return [not torch.equal(a, b) for a, b in zip(before, module.parameters(), strict=True)]


def test_d_step_leaves_g_alone_and_g_step_leaves_d_alone():
    t = _trainer()
    real = Batch(torch.rand(8, 1, 28, 28) * 2 - 1)
    g0, d0 = _params(t.generator), _params(t.discriminator)
    t.d_step(real)
    assert not any(_changed(g0, t.generator))
    assert all(_changed(d0, t.discriminator))
    d1 = _params(t.discriminator)
    t.g_step(real)
    assert not any(_changed(d1, t.discriminator))
    assert all(_changed(g0, t.generator))
    assert all(p.requires_grad for p in t.discriminator.parameters())


def test_k_discriminator_steps_per_generator_step():
    t = _trainer(d_steps="3")
    assert [p.interval for p in t.schedule] == [1, 3]
    calls = []
    t._steps = {"discriminator": lambda r: calls.append("D"),
                "generator": lambda r: calls.append("G") or torch.tensor(0.0)}
    t._last_d = (torch.tensor(0.0),) * 3
    real = Batch(torch.zeros(2, 1, 28, 28))
    results = [t.train_batch(i, real) for i in range(6)]
    assert calls == ["D", "D", "D", "G", "D", "D", "D", "G"]
    assert [r is not None for r in results] == [False, False, True, False, False, True]


def test_step_statistics_are_probabilities_and_finite():
    t = _trainer()
    stats = t.train_batch(0, Batch(torch.rand(8, 1, 28, 28) * 2 - 1))
    d_loss, g_loss, d_real, d_fake = stats.tolist()
    assert 0 < d_real < 1 and 0 < d_fake < 1
    assert 0 < d_loss < 10 and 0 < g_loss < 10


def test_same_seed_same_updates():
    real = torch.rand(8, 1, 28, 28) * 2 - 1
    runs = []
    for _ in range(2):
        t = _trainer(seed="3")
        torch.manual_seed(5)
        runs.append([t.train_batch(i, Batch(real.clone())) for i in range(3)])
    for a, b in zip(*runs, strict=True):
        assert torch.equal(a, b)
    assert default_schedule(2)[1].interval == 2


class _NanObjective:
    """Wraps an objective so that D's loss is NaN."""

    def __init__(self, inner):
        self.inner = inner

    def discriminator_loss(self, g, d, batch):
        result = self.inner.discriminator_loss(g, d, batch)
        result.loss = result.loss * float("nan")
        return result

    def generator_loss(self, g, d, batch):
        return self.inner.generator_loss(g, d, batch)


def test_nan_loss_stops_or_skips():
    t = _trainer()
    t.objective = _NanObjective(t.objective)
    real = Batch(torch.rand(8, 1, 28, 28) * 2 - 1)
    with pytest.raises(Divergence, match="discriminator loss is nan"):
        t.train_batch(0, real)
    t = _trainer(on_nan="skip")
    t.objective = _NanObjective(t.objective)
    d0 = _params(t.discriminator)
    t.train_batch(0, real)
    assert t.skipped == 1
    assert not any(_changed(d0, t.discriminator))


def test_a_trainer_restored_from_its_state_dict_steps_like_the_original():
    real = Batch(torch.rand(8, 1, 28, 28) * 2 - 1)
    torch.manual_seed(0)
    a = _trainer(ema="0.9")
    a.train_batch(0, Batch(real.images.clone()))
    state = a.state_dict()
    assert state["meta"]["ema_updates"] == 1 and "generator_ema.net.0.weight" in state["tensors"]
    b = _trainer(ema="0.9", seed="5")  # other initial weights
    b.load_state_dict({"tensors": {k: v.clone() for k, v in state["tensors"].items()},
                       "meta": state["meta"]})
    torch.manual_seed(1)
    stats_a = a.train_batch(1, Batch(real.images.clone()))
    torch.manual_seed(1)
    stats_b = b.train_batch(1, Batch(real.images.clone()))
    assert torch.equal(stats_a, stats_b)
    for x, y in zip(a.ema.module.parameters(), b.ema.module.parameters(), strict=True):
        assert torch.equal(x, y)


def test_a_trainer_names_the_network_whose_weights_broke():
    t = _trainer()
    assert t.nonfinite_network() is None
    with torch.no_grad():
        next(t.discriminator.parameters()).view(-1)[0] = float("nan")
    assert t.nonfinite_network() == "discriminator"
