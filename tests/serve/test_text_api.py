"""A text-to-image run behind the API: captions in, PNG out, the walk between two captions,
and every limit of the caption fields."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from ganforge.serve.png import grid_png
from tests.serve.answers import error_of, png_of

GENERATE = "/api/generate"
RED, WHITE = "this flower has red petals", "a white flower with a stem"


def _draw(client, **body):
    return client.post(GENERATE, json=body)


def test_info_describes_the_text_model(text_client, text_run):
    info = text_client.get("/api/info").json()
    assert (info["kind"], info["conditional"], info["arch"]) == ("text-conditioned", True, "t2i")
    assert (info["channels"], info["height"], info["width"]) == (3, 64, 64)
    assert (info["latent_dim"], info["text_encoder"]) == (8, "minilm")
    grid_captions = [c["caption"] for c in json.loads((text_run / "captions.json").read_text())]
    examples = info["example_captions"]
    assert 1 <= len(examples) <= 10 and len(set(examples)) == len(examples)
    assert examples == list(dict.fromkeys(grid_captions))[: len(examples)]


def test_same_caption_and_seed_give_the_same_png_as_ganforge_generate(text_client, text_run):
    from ganforge.sampling.captions import generate_from_caption, load_text_generator

    first = _draw(text_client, caption=RED, n=4, seed=3)
    assert png_of(first).size == (2 * 66 + 2, 2 * 66 + 2) and png_of(first).mode == "RGB"
    assert _draw(text_client, caption=RED, n=4, seed=3).content == first.content
    loaded = load_text_generator(text_run)
    assert first.content == grid_png(generate_from_caption(loaded, RED, 4, seed=3))


def test_other_captions_and_seeds_give_other_images(text_client):
    red = _draw(text_client, caption=RED, n=4, seed=3).content
    assert _draw(text_client, caption=WHITE, n=4, seed=3).content != red
    assert _draw(text_client, caption=RED, n=4, seed=4).content != red
    # Only the caption's words count, not spaces around or between them (as in the CLI).
    assert _draw(text_client, caption=f"  {RED.replace(' ', '   ')} ", n=4, seed=3).content == red


def test_walk_ends_at_the_two_captions(text_client):
    def walk(t):
        return _draw(text_client, caption=RED, caption_to=WHITE, t=t, n=3, seed=5).content

    start, middle, end = walk(0), walk(0.5), walk(1)
    assert start == _draw(text_client, caption=RED, n=3, seed=5).content
    assert end == _draw(text_client, caption=WHITE, n=3, seed=5).content
    assert middle not in (start, end) and walk(0.5) == middle
    assert png_of(text_client.post(GENERATE, json={
        "caption": RED, "caption_to": WHITE, "t": 1, "n": 3, "seed": 5})).size == (134, 134)


def test_json_format_gives_one_rgb_png_per_image(text_client, text_service):
    from ganforge.viz import to_uint8

    body = _draw(text_client, caption=RED, caption_to=WHITE, t=0.25, n=3, seed=1,
                 format="json").json()
    assert (body["channels"], body["height"], body["width"], body["step"]) == (3, 64, 64, 2)
    want = to_uint8(text_service.generate(3, 1, RED, WHITE, 0.25))
    for encoded, expected in zip(body["images"], want, strict=True):
        image = Image.open(io.BytesIO(base64.b64decode(encoded)))
        assert image.mode == "RGB" and np.array_equal(np.asarray(image), expected)


def test_caption_limits_accepted(text_client):
    assert _draw(text_client, caption="x" * 300, caption_to="é" * 300, t=0.5, n=1,
                 seed=0).status_code == 200
    assert _draw(text_client, caption="a", n=64, seed=2**31 - 1).status_code == 200


@pytest.mark.parametrize("body,field,kind,message", [
    ({"seed": 0}, "caption", "value_error", "this model is text-conditioned"),
    ({"seed": 0, "caption": None}, "caption", "value_error", "this model is text-conditioned"),
    ({"seed": 0, "caption": " \t\n "}, "caption", "value_error", "empty or only spaces"),
    ({"seed": 0, "caption": ""}, "caption", "value_error", "empty or only spaces"),
    ({"seed": 0, "caption": "x" * 301}, "caption", "string_too_long", "at most 300"),
    ({"seed": 0, "caption": 7}, "caption", "string_type", None),
    ({"seed": 0, "caption": "a", "caption_to": "x" * 301, "t": 0.5}, "caption_to",
     "string_too_long", None),
    ({"seed": 0, "caption": "a", "caption_to": "  ", "t": 0.5}, "caption_to", "value_error",
     "empty or only spaces"),
    ({"seed": 0, "caption": "\u200b\u200d\ufeff"}, "caption", "value_error", "invisible"),
    ({"seed": 0, "caption": "\u00a0\u2060\u3000\u0301"}, "caption", "value_error",
     "invisible"),
    ({"seed": 0, "caption": "a", "caption_to": "\u200b \u200c", "t": 0.5}, "caption_to",
     "value_error", "invisible"),
    ({"seed": 0, "caption_to": "a", "t": 0.5}, "caption", "value_error", "text-conditioned"),
    ({"seed": 0, "caption": "a", "caption_to": "b"}, "t", "value_error", "needed with"),
    ({"seed": 0, "caption": "a", "t": 0.5}, "t", "value_error", "only with caption_to"),
    ({"seed": 0, "caption": "a", "caption_to": "b", "t": 1.5}, "t", "less_than_equal", None),
    ({"seed": 0, "caption": "a", "caption_to": "b", "t": -0.1}, "t", "greater_than_equal",
     None),
    ({"seed": 0, "caption": "a", "caption_to": "b", "t": "0.5"}, "t", "float_type", None),
    ({"seed": 0, "caption": "a", "steps": 8}, "steps", "extra_forbidden", None),
    ({"seed": 0, "caption": "a", "n": 65}, "n", "less_than_equal", None),
    ({"seed": -1, "caption": "a"}, "seed", "greater_than_equal", None),
])
def test_refused_requests(text_client, body, field, kind, message):
    detail = error_of(text_client.post(GENERATE, json=body), 422, field, kind)
    if message is not None:
        assert message in detail[0]["msg"], detail


def test_seed_walk_needs_a_caption_and_ends_at_its_seeds(text_client):
    def walk(**params):
        return text_client.get("/api/interpolate", params={"seed_a": 1, "seed_b": 2, "n": 2,
                                                          **params})

    detail = error_of(walk(t=0.5), 422, "caption", "value_error")
    assert "text-conditioned" in detail[0]["msg"]
    error_of(walk(t=0.5, caption="x" * 301), 422, "caption", "string_too_long")
    start, end = walk(t=0, caption=RED).content, walk(t=1, caption=RED).content
    assert start == _draw(text_client, caption=RED, n=2, seed=1).content
    assert end == _draw(text_client, caption=RED, n=2, seed=2).content
    assert walk(t=0.5, caption=RED).content not in (start, end)


def test_text_page_has_the_caption_boxes(text_client):
    response = text_client.get("/")
    html = response.text
    for element in ('id="caption"', 'id="generate"', 'id="caption-to"', 'id="t"',
                    'id="walk"', 'maxlength="300"', "caption_to"):
        assert element in html
    assert 'id="seed-a"' not in html  # the walk is between captions, not seeds
    assert "http://" not in html and "https://" not in html
    nonce = response.headers["content-security-policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in html and f'<style nonce="{nonce}">' in html
