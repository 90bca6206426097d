"""The drawing of a run's images for evaluation is chosen by its condition, as data."""

from typing import get_args

import pytest

from ganforge.config import resolve_config
from ganforge.errors import ConfigError
from ganforge.metrics.draw import DRAWINGS, FromCaptions, FromNoise, drawing_for
from ganforge.model_configs import CONDITIONS, Condition


def test_every_condition_has_a_drawing():
    assert set(DRAWINGS) == set(get_args(Condition)) == set(CONDITIONS.values())


@pytest.mark.parametrize("preset,kind,dataset", [
    ("mlp-mnist", FromNoise, "mnist"), ("dcgan-stacked", FromNoise, "stacked-mnist"),
    ("best-mnist", FromNoise, "mnist"), ("t2i-fashion", FromCaptions, "fashion-mnist")])
def test_the_condition_picks_the_drawing(preset, kind, dataset):
    config = resolve_config(preset)
    drawing = drawing_for(config)
    assert type(drawing) is kind and drawing.dataset == dataset


def test_noise_counts_default_per_data_set_and_refuse_too_few():
    config = resolve_config("mlp-mnist")
    assert FromNoise("mnist").count(None, config, 0) == 10_000
    assert FromNoise("stacked-mnist").count(None, config, 0) == 26_000
    with pytest.raises(ConfigError, match="--n must be at least 4 .* got 3"):
        FromNoise("mnist").count(3, config, 0)

