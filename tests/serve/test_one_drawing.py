"""One drawing function: `ganforge sample`, `ganforge generate`, `ganforge serve` and
evaluation all draw through sampling.draw.draw_images, so one seed (and caption) gives the same
images in each."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from ganforge.viz import to_uint8


def _npz(path):
    with np.load(path) as data:
        return data["images"]


def test_sample_serve_and_evaluation_draw_the_same_images(served_run, service, tmp_path):
    from ganforge.cli import main
    from ganforge.metrics.draw import FromNoise
    from ganforge.sampling.generator import generate, load_generator

    assert main(["sample", str(served_run), "-n", "12", "--seed", "5", "--format", "npz",
                 "--out", str(tmp_path / "s.npz")]) == 0
    sampled = _npz(tmp_path / "s.npz")
    loaded = load_generator(served_run)
    served = to_uint8(service.generate(12, 5))
    evaluated = to_uint8(FromNoise("mnist").draw(loaded.generator, loaded.config, 12, 5))
    api = to_uint8(generate(loaded, 12, seed=5))
    assert sampled.shape == (12, 28, 28)
    for other in (served, evaluated, api):
        np.testing.assert_array_equal(sampled, other)
    assert not np.array_equal(sampled, to_uint8(service.generate(12, 6)))


def test_generate_and_serve_draw_the_same_images_of_a_caption(text_run, text_service,
                                                               tmp_path):
    from ganforge.cli import main

    caption = "this flower has red petals"
    assert main(["generate", str(text_run), caption, "-n", "6", "--seed", "3", "--format",
                 "npz", "--out", str(tmp_path / "g.npz")]) == 0
    np.testing.assert_array_equal(_npz(tmp_path / "g.npz"),
                                  to_uint8(text_service.generate(6, 3, caption=caption)))


@pytest.mark.parametrize("where", [
    "ganforge.sampling.generator:generate", "ganforge.sampling.captions:draw",
    "ganforge.metrics.draw:sample_images", "ganforge.serve.service:Service.decode"])
def test_every_sampler_draws_through_the_one_function(where):
    import importlib

    module, _, name = where.partition(":")
    target = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    assert "draw_images(" in inspect.getsource(target)
