"""422 answers never echo the refused value, so values JSON cannot encode (Infinity, NaN,
1e400, lone surrogates) get 422, not 500."""

from __future__ import annotations

import json

import pytest

from ganforge.serve.errors import MAX_SHOWN, error_answer, safe_text
from tests.serve.answers import error_of

GENERATE = "/api/generate"
UNENCODABLE = [
    (b'{"n": 1, "seed": Infinity}', "seed"),
    (b'{"n": 1, "seed": -Infinity}', "seed"),
    (b'{"n": 1e400, "seed": 1}', "n"),
    (b'{"n": NaN, "seed": 1}', "n"),
    (b'{"seed": 1, "t": NaN}', "t"),
    (b'{"seed": 1, "format": "\\ud800"}', "format"),
]
CAPTIONS = [
    (b'{"seed": 1, "caption": "\\ud800"}', "caption"),
    (b'{"seed": 1, "caption": "a red \\udfff flower"}', "caption"),
    (b'{"seed": 1, "caption": "a", "caption_to": "\\ud800", "t": 0.5}', "caption_to"),
]


def _post(client, body: bytes):
    return client.post(GENERATE, content=body, headers={"content-type": "application/json"})


def _check_no_echo(response, field: str) -> None:
    detail = error_of(response, 422, field)
    assert json.loads(response.content.decode("utf-8")) == {"detail": detail}
    for entry in detail:
        assert set(entry) == {"type", "loc", "msg"}  # no "input", no "ctx"
    lowered = response.text.lower()
    assert "inf" not in lowered and "nan" not in lowered and "\\ud" not in lowered


@pytest.mark.parametrize("body,field", UNENCODABLE + CAPTIONS)
def test_unencodable_values_are_422_without_echo(client, body, field):
    _check_no_echo(_post(client, body), field)


@pytest.mark.parametrize("body,field", CAPTIONS)
def test_lone_surrogate_captions_are_422_for_a_text_model(text_client, body, field):
    _check_no_echo(_post(text_client, body), field)


def test_unencodable_query_value_is_422(client):
    response = client.get("/api/interpolate", params={"seed_a": 0, "seed_b": 1, "t": "inf"})
    _check_no_echo(response, "t")


def test_a_surrogate_field_name_is_shown_escaped(client):
    response = _post(client, b'{"seed": 1, "\\ud800": 1}')
    assert response.status_code == 422
    response.content.decode("utf-8")  # encodable


def test_safe_text_escapes_surrogates_and_cuts():
    assert safe_text("a\ud800b") == "a\\ud800b"
    assert len(safe_text("x" * 10_000)) == MAX_SHOWN and safe_text("x" * 10_000).endswith("...")
    assert safe_text(3) == "3"


def test_error_answer_keeps_only_type_loc_msg():
    response = error_answer([{"type": "t", "loc": ("body", "\udc00", 2), "msg": "m",
                              "input": float("inf"), "ctx": {"x": float("nan")}}])
    assert json.loads(response.body) == {
        "detail": [{"type": "t", "loc": ["body", "\\udc00", 2], "msg": "m"}]}
