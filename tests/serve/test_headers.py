"""Security headers on every answer: the page, the API, its errors."""

from __future__ import annotations

import pytest

from ganforge.serve.headers import API_POLICY
from ganforge.serve.schemas import MAX_BODY_BYTES


def _requests(client):
    big = b"x" * (MAX_BODY_BYTES + 1)
    return {
        "info": client.get("/api/info"),
        "png": client.post("/api/generate", json={"n": 1, "seed": 0}),
        "json": client.post("/api/generate", json={"n": 1, "seed": 0, "format": "json"}),
        "walk": client.get("/api/interpolate", params={"seed_a": 0, "seed_b": 1, "t": 0.5}),
        "schema": client.get("/openapi.json"),
        "422": client.post("/api/generate", json={"seed": -1}),
        "413": client.post("/api/generate", content=big),
        "404": client.get("/nothing"),
        "405": client.get("/api/generate"),
        "400": client.get("/api/info", headers={"host": "evil.example"}),
    }


@pytest.fixture(scope="module")
def answers(client):
    return _requests(client)


@pytest.mark.parametrize("name", ["info", "png", "json", "walk", "schema", "422", "413", "404",
                                  "405", "400"])
def test_api_answers_carry_the_security_headers(answers, name):
    response = answers[name]
    assert str(response.status_code) == name or response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == API_POLICY
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_the_page_keeps_its_own_policy(client):
    response = client.get("/")
    assert "'nonce-" in response.headers["content-security-policy"]
    assert response.headers.get_list("content-security-policy") == [
        response.headers["content-security-policy"]]  # one policy, not two
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
