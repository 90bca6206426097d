"""A tiny end-to-end run on a slice of real MNIST: every artefact of the run folder."""

import json

import pytest
import torch
from PIL import Image

from ganforge.config import resolve_config
from ganforge.errors import ConfigError, DataError
from ganforge.runs.checkpoint import list_checkpoints, read_checkpoint
from ganforge.sampling.generator import generate, load_generator
from ganforge.training.run import train

TINY = {"limit": "128", "batch_size": "32", "epochs": "2", "log_every": "3", "eval_every": "0"}


def _config(preset="mlp-mnist", **extra):
    small = {"g_hidden": "32,64", "d_hidden": "64,32"} if preset.startswith("mlp") else {}
    return resolve_config(preset, overrides={**TINY, **small, **extra})


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, real_data_root_module):
    out = tmp_path_factory.mktemp("runs") / "dcgan"
    train(_config("dcgan-mnist"), out, progress=False)
    return out


@pytest.fixture(scope="module")
def real_data_root_module():
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None or not REAL_DATA_ROOT.is_dir():
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    mp = pytest.MonkeyPatch()
    mp.setenv("GANFORGE_DATA", str(REAL_DATA_ROOT))
    yield REAL_DATA_ROOT
    mp.undo()


def test_every_artefact_is_written(tiny_run):
    assert (tiny_run / "config.toml").is_file()
    assert sorted(p.name for p in (tiny_run / "samples").iterdir()) == [
        "epoch_001.png", "epoch_002.png"]
    with Image.open(tiny_run / "samples" / "epoch_001.png") as grid:
        assert grid.size == (152, 152)  # 5x5 grid
    with Image.open(tiny_run / "progress.gif") as gif:
        assert gif.n_frames == 2
    with Image.open(tiny_run / "losses.png") as losses:
        assert losses.format == "PNG"
    records = [json.loads(line) for line in (tiny_run / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == list(range(1, 9))  # 4 batches x 2 epochs
    assert [r["epoch"] for r in records] == [1] * 4 + [2] * 4
    for r in records:
        assert set(r) == {"kind", "step", "epoch", "d_loss", "g_loss", "d_real", "d_fake"}
        assert 0 < r["d_real"] < 1 and 0 < r["d_fake"] < 1
    assert [p.name for p in list_checkpoints(tiny_run)] == ["step_0000004.json"]
    assert (tiny_run / "checkpoints" / "final.json").is_file()


def test_checkpoint_rebuilds_generator_from_config_alone(tiny_run):
    meta, tensors = read_checkpoint(tiny_run / "checkpoints" / "final.json")
    assert meta["step"] == 8 and meta["epoch"] == 2
    assert meta["config"]["model"]["arch"] == "dcgan28"
    assert any(k.startswith("opt_g.") for k in tensors)
    loaded = load_generator(tiny_run)
    a = generate(loaded, 10, seed=3)
    b = generate(loaded, 10, seed=3)
    c = generate(loaded, 10, seed=4)
    assert a.shape == (10, 1, 28, 28)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_same_seed_same_losses(tmp_path, real_data_root):
    cfg = _config(max_steps="5")
    losses = []
    for name in ("a", "b"):
        train(cfg, tmp_path / name, progress=False)
        records = (tmp_path / name / "metrics.jsonl").read_text()
        losses.append([json.loads(x)["g_loss"] for x in records.splitlines()])
    assert len(losses[0]) == 5 and losses[0] == losses[1]
    train(_config(max_steps="5", seed="9"), tmp_path / "c", progress=False)
    other = [json.loads(x)["g_loss"] for x in (tmp_path / "c" / "metrics.jsonl").read_text()
             .splitlines()]
    assert other != losses[0]


def test_max_steps_stops_mid_epoch(tmp_path, real_data_root):
    out = train(_config(max_steps="3", epochs="5"), tmp_path / "r", progress=False)
    assert len((out / "metrics.jsonl").read_text().splitlines()) == 3
    assert [p.name for p in (out / "samples").iterdir()] == ["epoch_001.png"]
    assert read_checkpoint(out / "checkpoints" / "final.safetensors")[0]["step"] == 3


def test_max_minutes_stops_when_the_budget_is_spent(tmp_path, real_data_root, monkeypatch):
    from types import SimpleNamespace

    import ganforge.training.loop as loop_module

    now = iter(range(0, 10_000, 10))  # a clock that moves 10 s at every reading
    monkeypatch.setattr(loop_module, "time", SimpleNamespace(monotonic=lambda: next(now)))
    out = train(_config(max_minutes="0.5", epochs="5"), tmp_path / "r", progress=False)
    # readings: 0 s at the start (deadline 30 s), 10 s before the first epoch, then 20 s
    # after step 1 and 30 s after step 2: the budget is spent, the run ends there
    step = read_checkpoint(out / "checkpoints" / "final.safetensors")[0]["step"]
    assert step == 2
    with pytest.raises(ConfigError, match="max_minutes must be more than 0"):
        _config(max_minutes="0")


def test_refuses_an_existing_run_unless_forced(tmp_path, real_data_root):
    cfg = _config(max_steps="1", epochs="1")
    train(cfg, tmp_path / "r", progress=False)
    with pytest.raises(ConfigError, match="already holds a run"):
        train(cfg, tmp_path / "r", progress=False)
    train(cfg, tmp_path / "r", progress=False, force=True)


def test_missing_data_set_writes_nothing(tmp_path, no_data):
    with pytest.raises(DataError, match="data set 'mnist' not found; looked in"):
        train(_config(), tmp_path / "never", progress=False)
    assert not (tmp_path / "never").exists()


def test_a_fixed_size_model_refuses_other_images_and_says_its_size():
    from ganforge.training.run import fit_to_data

    config = resolve_config("dcgan-mnist")
    assert fit_to_data(config, 1, 28).model.image_size == 28
    with pytest.raises(ConfigError, match="needs 28x28 images"):
        fit_to_data(config, 3, 64)
    mlp = resolve_config(overrides={"arch": "mlp"})
    assert fit_to_data(mlp, 3, 32).model.image_size == 32  # an MLP fits any size


def test_only_a_text_conditioned_run_names_a_text_encoder():
    from ganforge.training.run import text_encoder_of

    assert text_encoder_of(resolve_config("dcgan-mnist")) is None
    assert text_encoder_of(resolve_config(overrides={"arch": "t2i"})) == "minilm"
