"""The batch source built from a data set and the objective's declared needs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganforge.data.dataset import ImageData
from ganforge.errors import ConfigError
from ganforge.training.batch_needs import batch_source

CPU = torch.device("cpu")


def _data(**more) -> ImageData:
    return ImageData(torch.zeros(4, 1, 4, 4, dtype=torch.uint8), torch.tensor([0, 1, 0, 1]),
                     ("a", "b"), "tiny", text=torch.randn(4, 2, 3), **more)


def test_nothing_needed_gives_images_captions_and_labels_only():
    source = batch_source(_data(), frozenset(), "text", CPU, torch.Generator())
    assert source.wrong is None and source.levels is None and source.recombined is None
    batch = source.batch(torch.arange(4))
    assert batch.cond.shape == (4, 3) and torch.equal(batch.labels, torch.tensor([0, 1, 0, 1]))


def test_wrong_captions_and_levels_when_asked():
    levels = np.array([[[0, -1], [1, 0]]] * 4, dtype=np.int8)
    source = batch_source(_data(levels=levels), frozenset({"wrong_cond", "levels"}), "text",
                          CPU, torch.Generator().manual_seed(0))
    batch = source.batch(torch.arange(4))
    assert batch.wrong_cond.shape == (4, 3) and batch.levels.shape == (4, 2)


def test_a_need_the_data_cannot_meet_is_one_line():
    with pytest.raises(ConfigError, match="tiny has none"):
        batch_source(_data(), frozenset({"levels"}), "text", CPU, torch.Generator())
    unlabelled = ImageData(torch.zeros(2, 1, 4, 4, dtype=torch.uint8), torch.zeros(2).long(),
                           (), "folder", text=torch.randn(2, 1, 3))
    with pytest.raises(ConfigError, match="needs a data set with classes"):
        batch_source(unlabelled, frozenset({"wrong_cond"}), "text", CPU, torch.Generator())
    with pytest.raises(ValueError, match="unknown batch needs"):
        batch_source(_data(), frozenset({"colour"}), "text", CPU, torch.Generator())
