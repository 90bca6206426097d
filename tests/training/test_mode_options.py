"""The options against mode collapse train end to end through the one trainer: packing,
minibatch std and differentiable augmentation, with the EMA generator and lr decay."""

import json

import pytest

from ganforge.config import resolve_config
from ganforge.errors import ConfigError
from ganforge.sampling.generator import load_generator
from ganforge.training.run import build_trainer, train

TINY = {"limit": "128", "batch_size": "32", "epochs": "1", "log_every": "2", "eval_every": "0"}
OPTIONS = {"pack": "2", "mbstd": "4", "augment": "translation,cutout", "ema": "0.99",
           "lr_decay": "linear"}


@pytest.mark.parametrize("preset,small", [
    ("mlp-mnist", {"g_hidden": "32,64", "d_hidden": "64,32"}),
    ("dcgan-mnist", {"width": "8"}),
])
def test_every_option_trains_and_samples(preset, small, tmp_path, real_data_root):
    out = tmp_path / preset
    train(resolve_config(preset, overrides={**TINY, **small, **OPTIONS}), out, progress=False)
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert len(records) == 4 and all(0 < r["d_real"] < 1 for r in records)
    loaded = load_generator(out)
    assert loaded.ema and loaded.config.model.pack == 2 and loaded.config.model.mbstd == 4


def test_packed_discriminator_is_built_with_packs():
    trainer = build_trainer(resolve_config("dcgan-mnist", overrides={"pack": "3",
                                                                      "batch_size": "30"}))
    assert trainer.discriminator.net[0].in_channels == 3


def test_batch_size_must_be_a_multiple_of_the_pack():
    with pytest.raises(ConfigError, match="multiple of pack 3"):
        build_trainer(resolve_config("dcgan-mnist", overrides={"pack": "3"}))


def test_infogan_codes_train_and_sample(tmp_path, real_data_root):
    out = tmp_path / "codes"
    train(resolve_config("best-uncond-mnist", overrides={**TINY, "width": "8", "codes": "10"}),
          out, progress=False)
    loaded = load_generator(out)
    assert loaded.config.model.codes == 10
    assert loaded.generator.net[0].in_channels == 110  # z and the one-hot code
