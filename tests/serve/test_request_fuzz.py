"""Fuzzed request bodies and queries: whatever a client sends, never a 5xx, and every error
answer is JSON that encodes (the values JSON cannot hold included: NaN, Infinity, 1e400,
lone surrogates, field names of any text)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Any code point, lone surrogates and invisible characters included, and plain words.
_any_char = st.characters(exclude_categories=())
_text = st.one_of(st.text(_any_char, max_size=12), st.sampled_from(
    ["a red flower", "", " ", "\u200b", "png", "json", "slerp", "lerp", "x" * 301]))
_number = st.one_of(st.integers(-(2**70), 2**70), st.integers(-2, 70),
                    st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([1e400, -1e400, 0.5, 1.0, 0.0]))
_scalar = st.one_of(st.none(), st.booleans(), _number, _text)
_value = st.recursive(_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_text, inner, max_size=3)), max_leaves=6)
_fields = st.one_of(st.sampled_from(["n", "seed", "caption", "caption_to", "t", "format"]),
                    _text)
_bodies = st.one_of(st.dictionaries(_fields, _value, max_size=6), _value)
_queries = st.dictionaries(
    st.one_of(st.sampled_from(["seed_a", "seed_b", "t", "n", "method", "caption", "format"]),
              st.text(max_size=6)),
    st.one_of(st.text(max_size=12), _number.map(str)), max_size=7)
_FUZZ = settings(max_examples=120, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow,
                                        HealthCheck.function_scoped_fixture])


def _check(response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    kind = response.headers.get("content-type", "")
    if kind.startswith("application/json"):
        json.loads(response.content.decode("utf-8"))
    elif response.status_code == 200:
        assert kind == "image/png" and response.content.startswith(b"\x89PNG")


def _post(client, body) -> None:
    # Python's encoder writes NaN / Infinity / \udxxx escapes, as a hostile client may.
    raw = json.dumps(body, allow_nan=True).encode()
    _check(client.post("/api/generate", content=raw,
                       headers={"content-type": "application/json"}))


@_FUZZ
@given(_bodies)
def test_generate_bodies_never_give_5xx(client, body):
    _post(client, body)


@_FUZZ
@given(st.binary(max_size=200))
def test_raw_bodies_never_give_5xx(client, raw):
    _check(client.post("/api/generate", content=raw,
                       headers={"content-type": "application/json"}))


@_FUZZ
@given(_queries)
def test_interpolate_queries_never_give_5xx(client, query):
    _check(client.get("/api/interpolate", params=query))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.fixed_dictionaries(
    {"seed": st.one_of(st.integers(0, 5), _number)},
    optional={"caption": _text, "caption_to": _text, "t": _number, "n": st.integers(1, 3)}))
def test_text_model_bodies_never_give_5xx(text_client, body):
    _post(text_client, body)
