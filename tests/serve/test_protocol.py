"""Stalled clients are dropped: a real uvicorn server on 127.0.0.1 with short deadlines
closes connections that send nothing, part of their headers or part of their body, and
refuses connections beyond its cap."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from ganforge.serve.protocol import ConnectionLimits
from tests.serve.conftest import _live_server

LIMITS = ConnectionLimits(header_timeout=1.0, body_timeout=1.0, keep_alive=1.0,
                          max_connections=4)
CLOSED_WITHIN_S = 10.0  # generous: the test machine is shared and slow
HEAD = b"POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n"


@pytest.fixture(scope="module")
def guarded_url(service):
    yield from _live_server(service, limits=LIMITS)


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=CLOSED_WITHIN_S)
    return sock


def _read_until_closed(sock: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and the seconds that took (bounded)."""
    start = time.monotonic()
    received = b""
    while time.monotonic() - start < CLOSED_WITHIN_S:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        except ConnectionResetError:
            return received, time.monotonic() - start
        if not chunk:
            return received, time.monotonic() - start
        received += chunk
    pytest.fail(f"the server kept the stalled connection open {CLOSED_WITHIN_S} s")


def test_a_silent_connection_is_closed(guarded_url):
    with _connect(guarded_url) as sock:
        received, seconds = _read_until_closed(sock)
    assert received == b"" and seconds >= 0.5


def test_a_stalled_partial_header_is_closed(guarded_url):
    with _connect(guarded_url) as sock:
        sock.sendall(HEAD)  # no blank line: the headers never end
        received, seconds = _read_until_closed(sock)
    assert received == b"" and seconds >= 0.5


def test_a_trickle_of_header_bytes_does_not_extend_the_deadline(guarded_url):
    with _connect(guarded_url) as sock:
        start = time.monotonic()
        for byte in HEAD[:40]:  # one byte every 0.1 s: 4 s in all, past the 1 s deadline
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.1)
        else:
            _read_until_closed(sock)
        assert time.monotonic() - start < 4.0


def test_a_stalled_partial_body_gets_408_and_is_closed(guarded_url):
    with _connect(guarded_url) as sock:
        sock.sendall(HEAD + b"content-length: 100\r\n\r\n" + b'{"n": 1, "seed"')
        received, seconds = _read_until_closed(sock)
    assert received.startswith(b"HTTP/1.1 408 ") and seconds >= 0.5


def test_a_stalled_second_request_on_a_kept_alive_connection_is_closed(guarded_url):
    body = b'{"n": 1, "seed": 3}'
    with _connect(guarded_url) as sock:
        sock.sendall(HEAD + b"content-length: %d\r\n\r\n" % len(body) + body)
        first = b""
        while b"\r\n\r\n" not in first:
            first += sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 ")
        sock.sendall(HEAD)  # the next request's headers, never finished
        _read_until_closed(sock)


def test_connections_beyond_the_cap_get_503_and_closed(guarded_url):
    held = [_connect(guarded_url) for _ in range(LIMITS.max_connections)]
    try:
        time.sleep(0.2)  # let the server accept them
        with _connect(guarded_url) as extra:
            received, seconds = _read_until_closed(extra)
        assert received.startswith(b"HTTP/1.1 503 ") and seconds < 0.9  # before any deadline
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + CLOSED_WITHIN_S
    while time.monotonic() < deadline:  # the closed ones free their places
        if httpx.get(guarded_url + "/api/info", timeout=5).status_code == 200:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the server did not take new connections after the others closed")


def test_well_behaved_requests_are_served_with_these_limits(guarded_url):
    with httpx.Client(base_url=guarded_url, timeout=30) as client:
        for seed in range(3):  # one kept-alive connection
            assert client.post("/api/generate", json={"n": 2, "seed": seed}).status_code == 200


@pytest.mark.parametrize("field,value", [("header_timeout", 0), ("body_timeout", -1.0),
                                         ("keep_alive", 1e9), ("max_connections", 0)])
def test_limits_out_of_range_fail_at_construction(field, value):
    with pytest.raises(ValueError, match=field):
        ConnectionLimits(**{field: value})
