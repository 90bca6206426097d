"""Many clients at once against a real server: every answer equals the one given alone."""

from concurrent.futures import ThreadPoolExecutor

import httpx


def test_concurrent_clients_get_the_answers_of_sequential_ones(server_url):
    requests = [("generate", {"n": 1 + i % 8, "seed": i}) for i in range(16)]
    requests += [("interpolate", {"seed_a": i, "seed_b": i + 7, "t": i / 16, "n": 3})
                 for i in range(16)]

    def ask(client: httpx.Client, kind: str, params: dict) -> tuple[int, bytes]:
        if kind == "generate":
            response = client.post("/api/generate", json=params)
        else:
            response = client.get("/api/interpolate", params=params)
        return response.status_code, response.content

    with httpx.Client(base_url=server_url, timeout=60) as client:
        alone = [ask(client, *r) for r in requests]
    assert {status for status, _ in alone} == {200}

    def ask_with_own_client(request):
        with httpx.Client(base_url=server_url, timeout=60) as client:
            return ask(client, *request)

    with ThreadPoolExecutor(max_workers=16) as pool:
        together = list(pool.map(ask_with_own_client, requests))
    assert together == alone
