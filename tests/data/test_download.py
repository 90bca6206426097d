"""Bounded downloads: a mirror that sends too much or trickles is cut off within the bound."""

from __future__ import annotations

import http.server
import io
import threading
import time
from collections.abc import Iterator

import pytest

from ganforge.data import download
from ganforge.data.download import fetch, from_mirrors, mirror_urls
from ganforge.errors import DataError


class _Handler(http.server.BaseHTTPRequestHandler):
    """/trickle: one byte every 0.2 s of 1,000 announced (/slow: every 5 s); /big: 5,000
    bytes, announced or not (/big-unannounced)."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        if self.path in ("/trickle", "/slow"):
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2 if self.path == "/trickle" else 5.0)
            except OSError:
                pass  # the client gave up: what the test wants
            return
        if self.path == "/big":
            self.send_header("Content-Length", "5000")
        self.end_headers()
        self.wfile.write(bytes(5000))

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_a_trickling_mirror_fails_within_the_time_bound(server: str, monkeypatch) -> None:
    monkeypatch.setattr(download, "DOWNLOAD_SECONDS", 1.0)
    start = time.monotonic()
    with pytest.raises(DataError, match=r"took more than 1 s \(\d+ bytes received\)"):
        fetch(server + "trickle", io.BytesIO(), max_bytes=10_000)
    assert time.monotonic() - start < 3.0


def test_a_mirror_sending_a_byte_every_5_s_fails_within_the_bound(server: str,
                                                                   monkeypatch) -> None:
    monkeypatch.setattr(download, "DOWNLOAD_SECONDS", 1.0)
    start = time.monotonic()
    with pytest.raises(DataError, match="^slow: http://127.0.0.1:.*timed out waiting for data"):
        from_mirrors("slow", (server,), lambda url: fetch(url, io.BytesIO(), 10_000))
    assert time.monotonic() - start < 3.0


def test_a_mirror_sending_too_much_is_cut_off(server: str) -> None:
    with pytest.raises(DataError, match="announces 5000 bytes, more than the 4000"):
        fetch(server + "big", io.BytesIO(), max_bytes=4000)
    out = io.BytesIO()
    with pytest.raises(DataError, match="more than 4000 bytes"):
        fetch(server + "big-unannounced", out, max_bytes=4000)
    assert len(out.getvalue()) <= 4000
    assert fetch(server + "big", out := io.BytesIO(), max_bytes=5000) == 5000
    assert out.getvalue() == bytes(5000)


def test_mirrors_are_tried_in_turn_and_all_reasons_reported(server: str, tmp_path,
                                                            monkeypatch) -> None:
    (tmp_path / "f").write_bytes(b"ok")
    monkeypatch.setenv("GANFORGE_MIRRORS", f"{server}, {tmp_path}")
    mirrors = mirror_urls(("https://example.invalid/",))
    assert mirrors == (server, tmp_path.as_uri() + "/")

    def attempt(url: str) -> bytes:
        out = io.BytesIO()
        fetch(url, out, max_bytes=100)
        return out.getvalue()

    assert from_mirrors("f", mirrors, attempt) == b"ok"  # the server's 5000 bytes: too many
    with pytest.raises(DataError, match=r"^g: http://127.*more than 100 bytes.*; "
                                        r"file://.*No such file"):
        from_mirrors("g", mirrors, attempt)
