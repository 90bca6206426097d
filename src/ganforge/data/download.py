"""Bounded downloads: every fetch has a cap on its total size and on its total time, so a
mirror that sends too much, or trickles a byte at a time, fails in one line instead of
filling the disk or hanging; the mirrors of a file are tried in turn.

``$GANFORGE_MIRRORS`` (comma-separated base URLs or folders) replaces a file's mirror list
(tests point it at a local folder); nothing else here reads the environment.
"""

from __future__ import annotations

import http.client
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

from ganforge.errors import DataError

DOWNLOAD_TIMEOUT = 30.0  # seconds one read may wait
DOWNLOAD_SECONDS = 3600.0  # seconds a whole file may take (looked up at each call)
CHUNK = 1 << 16
FETCH_ERRORS = (OSError, ValueError, http.client.HTTPException, DataError)
T = TypeVar("T")


def mirror_urls(defaults: tuple[str, ...]) -> tuple[str, ...]:
    """The download base URLs: ``$GANFORGE_MIRRORS`` if set, else `defaults`; folders become
    file:// URLs, and each ends in '/'."""
    env = os.environ.get("GANFORGE_MIRRORS", "")
    chosen = tuple(m.strip() for m in env.split(",") if m.strip()) or defaults
    urls = []
    for base in chosen:
        url = base if "://" in base else Path(base).expanduser().resolve().as_uri()
        urls.append(url if url.endswith("/") else url + "/")
    return tuple(urls)


def describe(exc: BaseException) -> str:
    """A short one-line reason for a failed fetch."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        text = getattr(reason, "strerror", None) or str(reason)
    elif isinstance(exc, TimeoutError):
        text = "timed out waiting for data"
    else:
        text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())


def fetch(url: str, out: BinaryIO, max_bytes: int, seconds: float | None = None) -> int:
    """Copy `url` into `out`; refuse more than `max_bytes` bytes or more than `seconds`
    (default DOWNLOAD_SECONDS) in all. Returns the number of bytes copied."""
    seconds = DOWNLOAD_SECONDS if seconds is None else seconds
    deadline = time.monotonic() + seconds
    with urllib.request.urlopen(url, timeout=min(DOWNLOAD_TIMEOUT, seconds)) as response:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise DataError(f"the server announces {declared} bytes, more than the "
                            f"{max_bytes} this file may take")
        read = getattr(response, "read1", response.read)  # read1: whatever has arrived
        total = 0
        while chunk := read(CHUNK):
            total += len(chunk)
            if total > max_bytes:
                raise DataError(f"more than {max_bytes} bytes, the most this file may take")
            out.write(chunk)
            if time.monotonic() > deadline:
                raise DataError(f"took more than {seconds:g} s ({total} bytes received)")
    return total


def from_mirrors(name: str, mirrors: tuple[str, ...], attempt: Callable[[str], T]) -> T:
    """`attempt(base + name)` for each mirror until one succeeds; one line with every
    mirror's reason when none does."""
    reasons = []
    for base in mirrors:
        try:
            return attempt(base + name)
        except FETCH_ERRORS as exc:
            reasons.append(f"{base}: {describe(exc)}")
    raise DataError(f"{name}: " + "; ".join(reasons or ["no mirror configured"]))
