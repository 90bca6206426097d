"""The service's input follows the run's condition (the model registry's condition_of)."""

from __future__ import annotations

from typing import get_args

import pytest
import torch

from ganforge.model_configs import Condition
from ganforge.sampling.generator import generate, load_generator
from ganforge.serve.assembly import CONDITION_INPUTS, load_service
from ganforge.serve.inputs import CaptionInput, ClassInput, NoiseInput
from ganforge.serve.service import RequestError


def test_every_condition_has_an_input():
    assert set(CONDITION_INPUTS) == set(get_args(Condition))
    assert CONDITION_INPUTS["text"] is CaptionInput
    assert CONDITION_INPUTS["class"] is ClassInput and CONDITION_INPUTS["none"] is NoiseInput


def test_a_class_conditional_run_draws_the_noise_s_class_unless_told_one():
    service = load_service("best-mnist")  # the shipped cdcgan28 generator
    info = service.describe()
    assert (info.arch, info.kind, info.conditional) == ("cdcgan28", "class-conditional", True)
    assert info.classes == tuple(str(d) for d in range(10))
    loaded = load_generator("best-mnist")
    expected = generate(loaded, 3, seed=7)  # `ganforge sample`'s draw
    assert torch.equal(service.generate(3, seed=7), expected)
    sevens = generate(loaded, 3, seed=7, class_name="7")  # `ganforge sample --class 7`
    assert torch.equal(service.generate(3, seed=7, class_name="7"), sevens)
    assert not torch.equal(sevens, expected)
    with pytest.raises(RequestError, match="^caption: this model is not text-conditioned"):
        service.interpolate(1, 0, 1, 0.5, caption="a seven")
    with pytest.raises(RequestError, match="^class: unknown class 'seven'"):
        service.interpolate(1, 0, 1, 0.5, class_name="seven")


def test_the_noise_input_adds_no_condition():
    noise_only = NoiseInput(load_generator("mlp-mnist"))
    assert noise_only.for_generate(None, None, None) is None
    with pytest.raises(RequestError, match="^t: only with caption_to"):
        noise_only.for_generate(None, None, 0.5)
    with pytest.raises(RequestError, match="^class: this model is unconditional"):
        noise_only.for_walk(None, "7")
