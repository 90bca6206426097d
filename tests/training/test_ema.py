"""The EMA of G's weights: its update rule, its place in the trainer, checkpoints and sampling;
and exact resume of runs that use the stabilisers."""

import pytest
import torch
from safetensors.torch import load_file
from torch import nn

from ganforge.config import resolve_config
from ganforge.sampling.generator import load_generator
from ganforge.training.batch import Batch
from ganforge.training.ema import EMA, ema_rate
from ganforge.training.loop import Interrupted
from ganforge.training.run import build_trainer, resume, train
from tests.training.stops import StopAt


def _module(value: float) -> nn.Module:
    m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    with torch.no_grad():
        for p in m.parameters():
            p.fill_(value)
    return m


def test_update_rule_by_hand():
    live = _module(0.0)
    ema = EMA(live, decay=0.999)
    with torch.no_grad():
        for p in live.parameters():
            p.fill_(1.0)
        live[1].running_mean.fill_(3.0)
    ema.update(live)  # update 0 uses min(0.999, 1/10) = 0.1: 0.1 * 0 + 0.9 * 1
    assert all(torch.allclose(p, torch.full_like(p, 0.9)) for p in ema.module.parameters())
    assert torch.equal(ema.module[1].running_mean, torch.full((2,), 3.0))  # buffers copied
    ema.update(live)  # update 1 uses 2/11: 2/11 * 0.9 + 9/11 * 1
    expect = 2 / 11 * 0.9 + 9 / 11
    assert all(torch.allclose(p, torch.full_like(p, expect)) for p in ema.module.parameters())
    assert ema.updates == 2


def test_rate_warms_up_then_stays_at_the_decay():
    assert ema_rate(0.999, 0) == pytest.approx(0.1)
    assert ema_rate(0.999, 90) == pytest.approx(0.91)
    assert ema_rate(0.999, 20_000) == 0.999
    assert ema_rate(0.05, 0) == 0.05  # a decay below the warm-up is used as it is


def test_average_is_frozen_and_separate():
    live = _module(0.5)
    ema = EMA(live, 0.9)
    assert not any(p.requires_grad for p in ema.module.parameters())
    assert not ema.module.training
    with torch.no_grad():
        live[0].weight.fill_(7.0)
    assert ema.module[0].weight.max().item() == 0.5


def _mlp(**overrides):
    return build_trainer(resolve_config(
        "mlp-mnist", overrides={"g_hidden": "16", "d_hidden": "16", **overrides}))


def test_trainer_moves_the_average_after_each_generator_step():
    t = _mlp(ema="0.99")
    assert t.sampler is t.ema.module and t.sampler is not t.generator
    before = [p.clone() for p in t.sampler.parameters()]
    real = Batch(torch.rand(8, 1, 28, 28) * 2 - 1)
    t.d_step(real)
    assert t.ema.updates == 0
    t.g_step(real)
    assert t.ema.updates == 1
    for old, avg, live in zip(before, t.sampler.parameters(), t.generator.parameters(),
                              strict=True):
        assert torch.allclose(avg, 0.1 * old + 0.9 * live)
    plain = _mlp()
    assert plain.ema is None and plain.sampler is plain.generator


SMALL = {"limit": "128", "batch_size": "32", "epochs": "2", "log_every": "1",
         "g_hidden": "32", "d_hidden": "32", "keep": "3", "eval_every": "0"}
STABILISED = {**SMALL, "ema": "0.9", "spectral_norm": "true", "instance_noise": "0.1",
              "r1_weight": "1", "loss": "hinge"}



@pytest.fixture(scope="module")
def stabilised_run(tmp_path_factory):
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None:
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    mp = pytest.MonkeyPatch()
    mp.setenv("GANFORGE_DATA", str(REAL_DATA_ROOT))
    out = tmp_path_factory.mktemp("ema") / "run"
    train(resolve_config("mlp-mnist", overrides=STABILISED), out, progress=False)
    yield out
    mp.undo()


def test_checkpoint_holds_the_average_and_sampling_uses_it(stabilised_run):
    tensors = load_file(stabilised_run / "checkpoints" / "final.safetensors")
    ema = {k: v for k, v in tensors.items() if k.startswith("generator_ema.")}
    assert ema and any(".parametrizations.weight.original" in k for k in tensors)
    loaded = load_generator(stabilised_run)
    assert loaded.ema
    for name, value in loaded.generator.state_dict().items():
        assert torch.equal(value, tensors[f"generator_ema.{name}"])
    assert any(not torch.equal(tensors[f"generator.{k[len('generator_ema.'):]}"], v)
               for k, v in ema.items() if v.is_floating_point())


def test_stabilised_run_resumes_bit_identical(stabilised_run, tmp_path, real_data_root):
    out = tmp_path / "run"
    with pytest.raises(Interrupted):
        train(resolve_config("mlp-mnist", overrides=STABILISED), out, progress=False,
              observers=[StopAt(3)])
    resume(out, progress=False, warn=lambda m: None)
    a = load_file(stabilised_run / "checkpoints" / "final.safetensors")
    b = load_file(out / "checkpoints" / "final.safetensors")
    assert a.keys() == b.keys()
    for key in a:
        if not key.startswith("rng."):
            assert a[key].equal(b[key]), key
    first = (stabilised_run / "metrics.jsonl").read_text()
    assert first == (out / "metrics.jsonl").read_text()
