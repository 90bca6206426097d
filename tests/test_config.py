import pytest

from ganforge.config import (
    RunConfig,
    all_option_names,
    list_presets,
    load_preset_dict,
    resolve_config,
)
from ganforge.errors import ConfigError


def test_presets_follow_the_spec():
    assert {"mlp-mnist", "mlp-fashion", "dcgan-mnist", "dcgan-fashion"} <= set(list_presets())
    mlp = resolve_config("mlp-fashion")
    assert mlp.data.dataset == "fashion-mnist"
    assert mlp.model.arch == "mlp"
    assert mlp.model.g_hidden == [256, 512, 1024]
    assert mlp.model.d_hidden == [1024, 512, 256]
    assert mlp.model.d_dropout == 0.3 and mlp.model.leaky_slope == 0.2
    assert mlp.loss.label_smoothing == 0.9
    assert (mlp.optim.lr_g, mlp.optim.beta1) == (2e-4, 0.5)
    dc = resolve_config("dcgan-mnist")
    assert dc.model.arch == "dcgan28" and dc.data.dataset == "mnist"


def test_command_line_overrides():
    cfg = resolve_config("dcgan-mnist", overrides={
        "epochs": "20", "d_steps": "3", "lr_g": "1e-4", "label_smoothing": "0.9",
        "noise": "uniform", "loss": "minimax", "seed": "1", "batch_size": "128"})
    assert (cfg.train.epochs, cfg.train.d_steps, cfg.train.seed, cfg.train.batch_size) == (
        20, 3, 1, 128)
    assert cfg.optim.lr_g == 1e-4 and cfg.optim.lr_d == 2e-4
    assert cfg.train.noise == "uniform" and cfg.loss.loss == "minimax"


def test_option_names_are_unique_and_cover_the_issue():
    names = all_option_names()
    assert len(names) == len(set(names))
    for name in ("epochs", "d_steps", "lr_g", "label_smoothing", "noise", "loss", "seed",
                 "batch_size", "max_steps", "g_hidden", "g_batchnorm"):
        assert name in names


def test_config_file_layer(tmp_path):
    path = tmp_path / "my.toml"
    path.write_text('preset = "mlp-mnist"\n[train]\nepochs = 7\n[model]\ng_batchnorm = true\n')
    cfg = resolve_config(config_file=path, overrides={"epochs": "9"})
    assert cfg.model.arch == "mlp" and cfg.model.g_batchnorm is True
    assert cfg.train.epochs == 9


@pytest.mark.parametrize("text, message", [
    ("[train]\nepoch = 3\n", r"my.toml \[train\]: unknown key 'epoch'"),
    ('[train]\nepochs = "ten"\n', r"my.toml \[train\]: epochs: expected an integer"),
    ("[optimizer]\nlr = 1\n", r"my.toml: unknown section 'optimizer'"),
    ('[train]\nnoise = "gaussian"\n', r"'gaussian' is not one of 'normal', 'uniform'"),
    ("[train\n", r"my.toml: not valid TOML"),
])
def test_bad_config_file_names_key_and_file(tmp_path, text, message):
    path = tmp_path / "my.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        resolve_config("dcgan-mnist", config_file=path)


def test_bad_overrides():
    with pytest.raises(ConfigError, match="unknown preset 'dcgan-cifar'"):
        resolve_config("dcgan-cifar")
    with pytest.raises(ConfigError, match="--d-steps: cannot read 'three'"):
        resolve_config("dcgan-mnist", overrides={"d_steps": "three"})
    with pytest.raises(ConfigError, match="d_steps must be at least 1"):
        resolve_config("dcgan-mnist", overrides={"d_steps": "0"})
    with pytest.raises(ConfigError, match="does not apply to arch dcgan28"):
        resolve_config("dcgan-mnist", overrides={"g_hidden": "10,20"})
    with pytest.raises(ConfigError, match="unknown loss"):
        resolve_config("dcgan-mnist", overrides={"loss": "nope"})


def test_switching_arch_drops_the_old_sizes():
    cfg = resolve_config("dcgan-mnist", overrides={"arch": "mlp", "g_hidden": "64,128"})
    assert cfg.model.arch == "mlp" and cfg.model.g_hidden == [64, 128]


def test_round_trip_through_dict():
    cfg = resolve_config("mlp-mnist", overrides={"max_steps": "5"})
    again = RunConfig.from_dict(cfg.to_dict(), "test")
    assert again == cfg
    assert load_preset_dict("mlp-mnist")["preset"] == "mlp-mnist"
