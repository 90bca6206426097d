import pytest
import torch

from ganforge.config import resolve_config
from ganforge.errors import ConfigError
from ganforge.training.lr_schedule import LinearDecay


def _adam(lr):
    return torch.optim.Adam([torch.nn.Parameter(torch.zeros(2))], lr=lr)


def test_linear_decay_scales_each_base_rate_by_the_progress_left():
    g, d = _adam(1.0), _adam(1.0)
    done = [0.0]
    decay = LinearDecay(((g, 2e-4), (d, 4e-4)), lambda: done[0])
    for progress, factor in ((0.0, 1.0), (0.25, 0.75), (1.0, 0.0), (1.5, 0.0)):
        done[0] = progress
        decay()
        assert g.param_groups[0]["lr"] == pytest.approx(2e-4 * factor)
        assert d.param_groups[0]["lr"] == pytest.approx(4e-4 * factor)


def _loop(tmp_path, **overrides):
    from ganforge.runs.folder import RunFolder
    from ganforge.training.run import fit_to_data, load_training_data, prepare

    config = resolve_config("dcgan-mnist", overrides={
        "limit": "256", "epochs": "1", "eval_every": "0", "lr_decay": "linear", **overrides})
    data = load_training_data(config)
    config = fit_to_data(config, data.channels, data.size, data.model_fields())
    return prepare(config, data, RunFolder.create(tmp_path / "run", config), False, ())


def test_a_run_with_linear_decay_ends_with_rates_near_zero(real_data_root, tmp_path):
    loop = _loop(tmp_path, max_steps="4", lr_g="1e-3")
    seen = []
    loop.trainer.batch_hooks.append(lambda: seen.append(loop.trainer.opt_g.param_groups[0]["lr"]))
    loop.run()
    # before each of the 4 batches: 1e-3 times 1 - step / 4
    assert seen == pytest.approx([1e-3, 0.75e-3, 0.5e-3, 0.25e-3])


def test_an_unknown_decay_is_refused():
    with pytest.raises(ConfigError):
        resolve_config("dcgan-mnist", overrides={"lr_decay": "cosine"})


def test_a_time_budget_with_decay_is_refused_across_processes(real_data_root, tmp_path):
    from ganforge.runtime.distributed import DistContext

    loop = _loop(tmp_path, max_minutes="1")
    with pytest.raises(ConfigError, match="own clock"):
        loop.distribute(DistContext(rank=0, world_size=2))
    loop.distribute(DistContext(rank=0, world_size=1))  # one process: its clock is the clock
