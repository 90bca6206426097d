"""The HTTP API through FastAPI's test client: answers, limits and error codes."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from ganforge.serve.png import grid_png
from ganforge.serve.schemas import MAX_BODY_BYTES, MAX_SEED
from ganforge.viz import to_uint8
from tests.serve.answers import error_of as _error
from tests.serve.answers import png_of as _png

GENERATE = "/api/generate"


def test_info_describes_model_and_limits(client):
    info = client.get("/api/info").json()
    assert info["kind"] == "unconditional" and info["conditional"] is False
    assert (info["channels"], info["height"], info["width"]) == (1, 28, 28)
    assert info["latent_dim"] == 100
    assert info["limits"] == {"max_n": 64, "max_seed": 2**31 - 1, "max_caption": 300,
                              "max_body_bytes": MAX_BODY_BYTES}


def test_png_grid_shape_and_repeatability(client, service):
    first = client.post(GENERATE, json={"n": 5, "seed": 11})
    grid = _png(first)
    assert grid.size == (3 * 30 + 2, 2 * 30 + 2)  # 3 per row, 28 px + 2 px padding
    assert client.post(GENERATE, json={"n": 5, "seed": 11}).content == first.content
    assert client.post(GENERATE, json={"n": 5, "seed": 12}).content != first.content
    assert first.content == grid_png(service.generate(5, 11))


def test_json_format_gives_one_png_per_image(client, service):
    body = client.post(GENERATE, json={"n": 3, "seed": 4, "format": "json"}).json()
    assert (body["channels"], body["height"], body["width"]) == (1, 28, 28)
    assert len(body["images"]) == 3
    expected = to_uint8(service.generate(3, 4))
    for encoded, want in zip(body["images"], expected, strict=True):
        image = Image.open(io.BytesIO(base64.b64decode(encoded)))
        assert image.size == (28, 28) and image.mode == "L"
        assert np.array_equal(np.asarray(image), want)


@pytest.mark.parametrize("n", [1, 64])
def test_n_limits_accepted(client, n):
    assert client.post(GENERATE, json={"n": n, "seed": 0}).status_code == 200


@pytest.mark.parametrize("n", [0, -1, 65, 10**6])
def test_n_out_of_range(client, n):
    _error(client.post(GENERATE, json={"n": n, "seed": 0}), 422, "n")


@pytest.mark.parametrize("seed", [0, MAX_SEED])
def test_seed_limits_accepted(client, seed):
    assert client.post(GENERATE, json={"n": 1, "seed": seed}).status_code == 200


@pytest.mark.parametrize("seed", [-1, MAX_SEED + 1, 2**70])
def test_seed_out_of_range(client, seed):
    _error(client.post(GENERATE, json={"n": 1, "seed": seed}), 422, "seed")


@pytest.mark.parametrize("value", ["4", 4.0, True, None, [4]])
def test_n_of_the_wrong_type(client, value):
    _error(client.post(GENERATE, json={"n": value, "seed": 0}), 422, "n")


def test_caption_too_long(client):
    _error(client.post(GENERATE, json={"seed": 0, "caption": "x" * 301}), 422, "caption",
           "string_too_long")


def test_caption_refused_by_unconditional_model(client):
    detail = _error(client.post(GENERATE, json={"seed": 0, "caption": "x" * 300}), 422,
                    "caption", "value_error")
    assert "not text-conditioned" in detail[0]["msg"]
    assert client.post(GENERATE, json={"seed": 0, "caption": None}).status_code == 200


@pytest.mark.parametrize("extra,field", [
    ({"caption_to": "a white flower", "t": 0.5}, "caption_to"),
    ({"t": 0.5}, "t"),
])
def test_caption_walk_refused_by_unconditional_model(client, extra, field):
    detail = _error(client.post(GENERATE, json={"seed": 0, **extra}), 422, field, "value_error")
    assert "GET /api/interpolate" in detail[0]["msg"]


def test_unknown_field_rejected(client):
    _error(client.post(GENERATE, json={"seed": 0, "steps": 3}), 422, "steps", "extra_forbidden")


def test_missing_seed_and_bad_format(client):
    _error(client.post(GENERATE, json={"n": 2}), 422, "seed", "missing")
    _error(client.post(GENERATE, json={"seed": 0, "format": "gif"}), 422, "format")


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b""])
def test_malformed_bodies(client, body):
    response = client.post(GENERATE, content=body, headers={"content-type": "application/json"})
    _error(response, 422)


def test_body_over_the_limit(client):
    big = b'{"seed": 0, "caption": "' + b"x" * MAX_BODY_BYTES + b'"}'
    response = client.post(GENERATE, content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert str(MAX_BODY_BYTES) in response.json()["detail"]

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(8):
            yield b"x" * 4096

    response = client.post(GENERATE, content=chunks(),
                           headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_wrong_method_and_unknown_path(client):
    assert client.get(GENERATE).status_code == 405
    assert client.get("/api/nothing").status_code == 404
    assert client.get("/docs").status_code == 404  # Swagger UI would load a CDN


def _walk(client, **params):
    return client.get("/api/interpolate", params=params)


def test_interpolate_end_points_equal_the_seeds(client):
    start = _walk(client, seed_a=3, seed_b=8, t=0, n=4)
    end = _walk(client, seed_a=3, seed_b=8, t=1, n=4)
    middle = _walk(client, seed_a=3, seed_b=8, t=0.5, n=4)
    assert start.content == client.post(GENERATE, json={"n": 4, "seed": 3}).content
    assert end.content == client.post(GENERATE, json={"n": 4, "seed": 8}).content
    assert _png(middle).size == _png(start).size
    assert middle.content not in (start.content, end.content)
    assert _walk(client, seed_a=3, seed_b=8, t=0.5, n=4).content == middle.content
    linear = _walk(client, seed_a=3, seed_b=8, t=0.5, n=4, method="lerp")
    assert _png(linear).size == _png(middle).size and linear.content != middle.content


def test_interpolate_json_and_defaults(client):
    body = _walk(client, seed_a=0, seed_b=1, t=0.25, format="json").json()
    assert len(body["images"]) == 1  # n defaults to 1


@pytest.mark.parametrize("params,field", [
    ({"seed_a": 0, "seed_b": 1, "t": -0.1}, "t"),
    ({"seed_a": 0, "seed_b": 1, "t": 1.01}, "t"),
    ({"seed_a": 0, "seed_b": 1, "t": "nan"}, "t"),
    ({"seed_a": 0, "seed_b": 1, "t": "half"}, "t"),
    ({"seed_a": 0, "seed_b": 1}, "t"),
    ({"seed_a": -1, "seed_b": 1, "t": 0.5}, "seed_a"),
    ({"seed_a": 0, "seed_b": MAX_SEED + 1, "t": 0.5}, "seed_b"),
    ({"seed_a": 0, "seed_b": 1, "t": 0.5, "n": 65}, "n"),
    ({"seed_a": 0, "seed_b": 1, "t": 0.5, "method": "cubic"}, "method"),
    ({"seed_a": 0, "seed_b": 1, "t": 0.5, "caption": "a"}, "caption"),
])
def test_interpolate_limits(client, params, field):
    _error(_walk(client, **params), 422, field)


def test_openapi_schema_describes_the_api(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    assert set(paths) == {"/api/info", "/api/generate", "/api/interpolate"}
    post = paths["/api/generate"]["post"]
    content = post["responses"]["200"]["content"]
    assert set(content) == {"image/png", "application/json"}
    assert content["application/json"]["schema"]["$ref"].endswith("/ImagesResponse")
    assert "422" in post["responses"] and "413" in post["responses"]
    request = schema["components"]["schemas"]["GenerateRequest"]
    assert request["additionalProperties"] is False
    assert request["required"] == ["seed"]
    props = request["properties"]
    assert (props["n"]["minimum"], props["n"]["maximum"]) == (1, 64)
    assert (props["seed"]["minimum"], props["seed"]["maximum"]) == (0, MAX_SEED)
    for name in ("caption", "caption_to"):
        assert {"maxLength": 300, "type": "string"} in props[name]["anyOf"]
    assert {"type": "number", "minimum": 0.0, "maximum": 1.0} in props["t"]["anyOf"]
    assert props["class"]["anyOf"] == [{"type": "string", "maxLength": 4096},
                                       {"type": "integer", "minimum": 0}, {"type": "null"}]
    params = {p["name"] for p in paths["/api/interpolate"]["get"]["parameters"]}
    assert params == {"seed_a", "seed_b", "t", "n", "method", "caption", "class", "format"}


def test_page_is_self_contained(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    for element in ('id="grid"', 'id="new-seed"', 'id="t"', 'id="walk"', "/api/generate"):
        assert element in html
    assert 'id="caption"' not in html  # the caption box is for text-conditioned models
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in html
    assert nonce not in client.get("/").text  # a fresh nonce each time
