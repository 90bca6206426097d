import dataclasses
import re

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
    with pytest.raises(ConfigError, match="--loss: 'nope' is not one of 'non-saturating'"):
        resolve_config("dcgan-mnist", overrides={"loss": "nope"})


def test_switching_arch_drops_the_old_sizes():
    cfg = resolve_config("dcgan-mnist", overrides={"arch": "mlp", "g_hidden": "64,128"})
    assert cfg.model.arch == "mlp" and cfg.model.g_hidden == [64, 128]


def test_round_trip_through_dict():
    cfg = resolve_config("mlp-mnist", overrides={"max_steps": "5"})
    again = RunConfig.from_dict(cfg.to_dict(), "test")
    assert again == cfg
    assert load_preset_dict("mlp-mnist")["preset"] == "mlp-mnist"


# --- every setting's domain, declared once beside its description -----------------------

@pytest.mark.parametrize("section, line, message", [
    ("optim", "lr_g = nan", "lr_g must be a finite number, got nan"),
    ("optim", "lr_d = inf", "lr_d must be a finite number, got inf"),
    ("optim", "lr_g = 0.0", "lr_g must be more than 0"),
    ("optim", "beta1 = 5.0", "beta1 must be less than 1, got 5.0"),
    ("model", "d_dropout = 2.0", "d_dropout must be less than 1, got 2.0"),
    ("model", "latent_dim = -3", "latent_dim must be at least 1, got -3"),
    ("model", "latent_dim = 0", "latent_dim must be at least 1, got 0"),
    ("model", "g_hidden = [0]", "g_hidden[0] must be at least 1, got 0"),
    ("model", "g_hidden = [100000000]", "g_hidden[0] must be at most 4096"),
    ("model", "g_hidden = [8, 8, 8, 8, 8, 8, 8, 8]", "g_hidden has 8 entries (at most 6)"),
    ("train", "grid = 100000", "grid must be at most 32, got 100000"),
    ("train", "seed = 99999999999999999999999", "seed must be at most"),
    ("train", "batch_size = 1000000", "batch_size must be at most"),
])
def test_out_of_range_settings_are_refused_at_construction(tmp_path, section, line, message):
    path = tmp_path / "my.toml"
    arch = 'arch = "mlp"\n' if section == "model" else ""
    path.write_text(f'preset = "mlp-mnist"\n[{section}]\n{arch}{line}\n')
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        resolve_config(config_file=path)
    assert f"my.toml [{section}]" in str(caught.value) and "\n" not in str(caught.value)


def test_arrays_nested_deeper_than_the_schema(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("[model]\ng_hidden = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError, match="deep.toml: arrays or tables nested too deep"):
        resolve_config(config_file=path)
    path.write_text('[model]\narch = "mlp"\ng_hidden = ' + "[" * 50 + "]" * 50 + "\n")
    with pytest.raises(ConfigError, match=r"g_hidden\[0\]: expected an integer, got \[\[") as e:
        resolve_config(config_file=path)
    assert len(str(e.value)) < 200


@pytest.mark.parametrize("section, key", [("data", "dataset"), ("train", "device"),
                                          ("data", "data_dir"), ("train", "noise")])
def test_a_huge_string_is_never_echoed_whole(tmp_path, section, key):
    path = tmp_path / "big.toml"
    path.write_text(f'[{section}]\n{key} = "{"x" * 10_000_000}"\n')
    with pytest.raises(ConfigError) as caught:
        resolve_config(config_file=path)
    assert len(str(caught.value)) < 300 and "xxxx" in str(caught.value)


def test_every_number_has_a_bounded_domain():
    from ganforge.config import SECTIONS, model_config_classes
    from ganforge.schema import spec_of
    from ganforge.typed import field_types

    for cls in [*SECTIONS.values(), *model_config_classes().values()]:
        types = field_types(cls)
        for f in dataclasses.fields(cls):
            spec = spec_of(f)
            assert spec.help, f"{cls.__name__}.{f.name} has no description"
            if any(t in str(types[f.name]) for t in ("int", "float")):
                assert (spec.ge, spec.gt) != (None, None), f"{cls.__name__}.{f.name}"
                assert (spec.le, spec.lt) != (None, None), f"{cls.__name__}.{f.name}"


def test_loss_choices_are_the_registered_losses():
    from typing import get_args

    from ganforge.losses import LOSSES
    from ganforge.sections import LossName

    assert set(get_args(LossName)) == set(LOSSES)


def test_the_defaults_and_every_preset_are_inside_their_domains():
    for name in list_presets():
        resolve_config(name)  # raises if a preset broke its own ranges


@pytest.mark.parametrize("data", ["mnist", "fashion"])
def test_stable_mlp_presets_keep_the_spec_layers(data):
    """mlp-*-stable: the SPEC's MLP (same layers, loss, smoothing) plus the options that keep
    its modes, and nothing else."""
    spec, stable = resolve_config(f"mlp-{data}"), resolve_config(f"mlp-{data}-stable")
    assert stable.model == spec.model
    assert dataclasses.replace(stable.loss, ema=0.0) == spec.loss and stable.loss.ema == 0.999
    assert (stable.optim.lr_g, stable.optim.lr_d, stable.optim.lr_decay) == (1e-3, 1e-3, "linear")
    assert stable.data == spec.data and stable.train.epochs == 5
    assert (spec.train.batch_size, stable.train.batch_size) == (64, 32)


@pytest.mark.parametrize("data", ["mnist", "fashion"])
def test_unconditional_best_presets_have_no_class_input(data):
    """best-uncond-*: the SPEC's DCGAN layers (dcgan28 at the SPEC's width), with no class
    anywhere (on MNIST an InfoGAN code drawn from the noise instead), trained like best-*."""
    from ganforge.model_configs import condition_of

    spec, best = resolve_config(f"dcgan-{data}"), resolve_config(f"best-uncond-{data}")
    labelled = resolve_config(f"best-{data}")
    assert condition_of(best.model) == "none" and best.model.arch == spec.model.arch
    assert best.model.codes == (10 if data == "mnist" else 0)
    assert dataclasses.replace(best.model, d_norm="batch", mbstd=0, codes=0) == spec.model
    assert best.loss == labelled.loss and best.optim.lr_decay == "linear"
    assert best.data == spec.data


def test_the_stacked_pacgan_preset_is_dcgan_stacked_with_packs():
    spec, pac = resolve_config("dcgan-stacked"), resolve_config("dcgan-stacked-pac")
    assert dataclasses.replace(pac.model, pack=1) == spec.model and pac.model.pack == 3
    assert pac.train.batch_size % pac.model.pack == 0 and pac.data == spec.data
    assert pac.loss.ema == 0.999 and pac.optim.lr_decay == "linear"


def test_the_batch_size_must_tile_the_models_packs():
    assert resolve_config("dcgan-mnist", overrides={"pack": "2"}).model.batch_multiple() == 2
    with pytest.raises(ConfigError, match="command line: batch_size 64 is not a multiple of "
                                          "pack 3"):
        resolve_config("dcgan-mnist", overrides={"pack": "3", "batch_size": "64"})
    assert resolve_config(overrides={"arch": "cdcgan28", "batch_size": "63"}).model \
        .batch_multiple() == 1  # no packs: any batch size


@pytest.mark.parametrize("arch", ["t2i", "dfgan"])
def test_a_text_run_needs_two_images_a_batch_for_its_mismatched_pairs(arch):
    with pytest.raises(ConfigError, match=f"batch_size 1: arch {arch} needs at least 2 "
                                          r"\(its mismatched pairs"):
        resolve_config(overrides={"arch": arch, "batch_size": "1"})
    assert resolve_config(overrides={"arch": arch, "batch_size": "2"}).train.batch_size == 2
    assert resolve_config(overrides={"arch": "dcgan28", "batch_size": "1"}).train.batch_size == 1
