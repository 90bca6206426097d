"""A class-conditional model behind the API (the shipped `best-fashion`, a cdcgan28): /api/info
lists its classes, a request may name the class to draw (by name or index, as `ganforge sample
--class`), and a class the model cannot draw is refused on the `class` field."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from ganforge.data.registry import get_spec
from ganforge.sampling.generator import generate, load_generator
from ganforge.serve.png import grid_png
from ganforge.viz import to_uint8
from tests.serve.answers import error_of, png_of

GENERATE = "/api/generate"
FASHION = get_spec("fashion-mnist").classes


@pytest.fixture(scope="module")
def sampled():
    """`ganforge sample --pretrained best-fashion` as a function: (n, seed, class) -> images."""
    loaded = load_generator("best-fashion")
    return lambda n, seed, class_name=None: generate(loaded, n, seed=seed, class_name=class_name)


def test_info_says_class_conditional_and_lists_the_classes_in_index_order(class_client):
    info = class_client.get("/api/info").json()
    assert (info["kind"], info["conditional"], info["arch"]) == (
        "class-conditional", True, "cdcgan28")
    assert info["classes"] == list(FASHION) and info["classes"][9] == "Ankle boot"
    assert info["example_captions"] == [] and info.get("text_encoder") is None


@pytest.mark.parametrize("chosen", ["Ankle boot", "ANKLE BOOT", "9", 9])
def test_a_class_by_name_or_index_draws_what_sample_class_draws(class_client, sampled, chosen):
    answer = class_client.post(GENERATE, json={"n": 6, "seed": 7, "class": chosen})
    png_of(answer)
    assert answer.content == grid_png(sampled(6, 7, "Ankle boot"))
    assert answer.content != grid_png(sampled(6, 7, "Sneaker"))


def test_json_images_are_the_chosen_class_pixel_for_pixel(class_client, sampled):
    body = class_client.post(GENERATE, json={"n": 3, "seed": 2, "class": "Trouser",
                                             "format": "json"}).json()
    want = to_uint8(sampled(3, 2, "Trouser"))
    for encoded, image in zip(body["images"], want, strict=True):
        got = np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded))))
        assert np.array_equal(got, image)


@pytest.mark.parametrize("body", [{}, {"class": None}])
def test_without_a_class_the_noise_picks_it_as_before(class_client, sampled, body):
    answer = class_client.post(GENERATE, json={"n": 8, "seed": 5, **body})
    assert answer.content == grid_png(sampled(8, 5))


def test_the_walk_holds_the_chosen_class(class_client, sampled):
    start = class_client.get("/api/interpolate", params={
        "seed_a": 3, "seed_b": 4, "t": 0, "n": 4, "class": "sandal"})
    end = class_client.get("/api/interpolate", params={
        "seed_a": 3, "seed_b": 4, "t": 1, "n": 4, "class": "5"})
    assert png_of(start).size == png_of(end).size
    assert start.content == grid_png(sampled(4, 3, "Sandal"))
    assert end.content == grid_png(sampled(4, 4, "Sandal"))
    free = class_client.get("/api/interpolate", params={"seed_a": 3, "seed_b": 4, "t": 0,
                                                        "n": 4})
    assert free.content == grid_png(sampled(4, 3))


def test_an_unknown_class_is_refused_naming_it_and_some_known_ones(class_client):
    detail = error_of(class_client.post(GENERATE, json={"n": 1, "seed": 0,
                                                        "class": "Ankle boots"}),
                      422, "class", "value_error")
    assert detail[0]["loc"] == ["body", "class"]
    msg = detail[0]["msg"]
    assert msg.startswith("unknown class 'Ankle boots'; did you mean 'Ankle boot'?")
    assert "'T-shirt/top', 'Trouser'" in msg and "or their index 0..9" in msg
    walk = error_of(class_client.get("/api/interpolate", params={
        "seed_a": 0, "seed_b": 1, "t": 0.5, "class": "10"}), 422, "class")
    assert walk[0]["loc"] == ["query", "class"] and "unknown class '10'" in walk[0]["msg"]


@pytest.mark.parametrize("value,kind", [("x" * 4097, "string_too_long"), (True, "class_type"),
                                        (9.0, "class_type"), (["Bag"], "class_type"),
                                        (-1, "class_type")])
def test_a_class_of_the_wrong_type_or_length_is_refused(class_client, value, kind):
    error_of(class_client.post(GENERATE, json={"n": 1, "seed": 0, "class": value}), 422,
             "class", kind)


def test_a_lone_surrogate_as_the_class_is_refused(class_client):
    answer = class_client.post(GENERATE, content=b'{"n": 1, "seed": 0, "class": "\\ud800"}',
                               headers={"Content-Type": "application/json"})
    error_of(answer, 422, "class", "string_unicode")


def test_a_json_integer_is_an_index_and_one_past_the_last_is_refused(class_client):
    detail = error_of(class_client.post(GENERATE, json={"n": 1, "seed": 0, "class": 10}),
                      422, "class", "value_error")
    assert detail[0]["msg"] == ("class index 10: the model has 10 classes, 0..9 (GET /api/info "
                                "lists them)")


def test_captions_stay_refused(class_client):
    detail = error_of(class_client.post(GENERATE, json={"n": 1, "seed": 0, "class": "Bag",
                                                        "caption": "a bag"}), 422, "caption")
    assert "not text-conditioned" in detail[0]["msg"]


@pytest.fixture(scope="module")
def noise_client():
    """`ganforge serve --pretrained mlp-mnist`: an unconditional model."""
    from ganforge.serve.assembly import load_service
    from tests.serve.conftest import _test_client

    yield from _test_client(load_service("mlp-mnist"))


def test_a_class_for_an_unconditional_model_is_refused(noise_client):
    assert noise_client.get("/api/info").json()["classes"] == []
    detail = error_of(noise_client.post(GENERATE, json={"n": 1, "seed": 0, "class": "3"}),
                      422, "class", "value_error")
    assert detail[0]["msg"] == ("this model is unconditional: it draws no chosen class; "
                                "leave class out")
    error_of(noise_client.get("/api/interpolate", params={"seed_a": 0, "seed_b": 1, "t": 0,
                                                          "class": 3}), 422, "class")
    png_of(noise_client.post(GENERATE, json={"n": 1, "seed": 0, "class": None}))


def test_a_class_for_a_text_model_is_refused(text_client):
    info = text_client.get("/api/info").json()
    assert (info["kind"], info["classes"]) == ("text-conditioned", [])
    detail = error_of(text_client.post(GENERATE, json={"n": 1, "seed": 0, "class": "daisy",
                                                       "caption": "a red flower"}),
                      422, "class", "value_error")
    assert "text-conditioned, not class-conditional" in detail[0]["msg"]
    error_of(text_client.get("/api/interpolate", params={
        "seed_a": 0, "seed_b": 1, "t": 0, "caption": "a red flower", "class": "0"}),
        422, "class")
