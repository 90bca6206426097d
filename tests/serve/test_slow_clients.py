"""Slow clients (issue 37, class 12): one address trickling headers on 200 connections holds
at most `max_per_address` of the server's slots, so requests from other addresses are still
answered. Loopback only (127.0.0.2 is the slow client's source address), bounded loops."""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit

import httpx
import pytest

from ganforge.serve.protocol import ConnectionLimits
from tests.serve.conftest import _live_server

SLOW_ADDRESS = "127.0.0.2"
LIMITS = ConnectionLimits(header_timeout=60.0, body_timeout=10.0, keep_alive=5.0)


@pytest.fixture(scope="module")
def url():
    from ganforge.pretrained.store import checkpoint_path
    from ganforge.serve.assembly import load_service

    yield from _live_server(load_service(checkpoint_path("mlp-mnist")), limits=LIMITS)


def _slow_connections(url: str, count: int) -> list[socket.socket]:
    """`count` connections from SLOW_ADDRESS, each with the first bytes of a request."""
    parts = urlsplit(url)
    held = []
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(5)
        try:
            sock.bind((SLOW_ADDRESS, 0))
        except OSError:
            sock.close()
            pytest.skip(f"cannot send from {SLOW_ADDRESS} here")
        sock.connect((parts.hostname, parts.port))
        sock.sendall(b"GET /api/info HTTP/1.1\r\nHo")
        held.append(sock)
    return held


def _answered(sock: socket.socket) -> bytes:
    try:
        return sock.recv(64)
    except (TimeoutError, OSError):
        return b""


def test_one_address_cannot_take_every_slot(url):
    held = _slow_connections(url, 200)
    try:
        time.sleep(0.5)  # the server has accepted (or refused) them all
        refused = sum(_answered(s).startswith(b"HTTP/1.1 503") for s in held[-20:])
        assert refused == 20  # the last ones are far beyond the per-address bound
        ok = 0
        with httpx.Client(base_url=url, timeout=10) as client:
            for _ in range(40):
                ok += client.get("/api/info").status_code == 200
        assert ok / 40 >= 0.95, f"{ok} of 40 legitimate requests answered"
    finally:
        for sock in held:
            sock.close()


def test_the_per_address_bound_is_checked_at_construction():
    with pytest.raises(ValueError, match="max_per_address"):
        ConnectionLimits(max_per_address=0)
    assert ConnectionLimits().max_per_address < ConnectionLimits().max_connections


def test_connections_under_the_bound_are_served(url):
    results = []

    def fetch():
        with httpx.Client(base_url=url, timeout=10) as client:
            results.append(client.get("/api/info").status_code)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [200] * 8
