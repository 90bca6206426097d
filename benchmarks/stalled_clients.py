"""Stalled clients against `ganforge serve` on loopback: are their connections dropped?

Starts `ganforge serve --pretrained NAME --port 0` (as benchmarks/load_test.py does), opens
--stalled connections that send part of their headers and --stalled that send their
headers and part of a body, then never send more. Every 0.5 s it counts the server's open
file descriptors and the stalled connections still open, until all are closed (or
--deadline s). Then it checks that a normal request is still answered. Exits 1 if any
stalled connection outlived the deadline or the last request failed.

    python benchmarks/stalled_clients.py [--stalled 300] [--pretrained dcgan-mnist]
"""

from __future__ import annotations

import argparse
import os
import selectors
import socket
import sys
import time
from collections import Counter
from urllib.parse import urlsplit

import httpx
from load_test import start_server, stop_server

PARTIAL_HEADER = b"POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: app"
PARTIAL_BODY = (b"POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"content-type: application/json\r\ncontent-length: 100\r\n\r\n{\"n\": 1")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stalled", type=int, default=300, help="connections of each kind")
    p.add_argument("--pretrained", default="dcgan-mnist", help="shipped generator to serve")
    p.add_argument("--deadline", type=float, default=60.0, help="seconds to wait, at most")
    return p.parse_args()


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def open_stalled(url: str, count: int) -> dict[socket.socket, str]:
    """`count` connections of each kind, each having sent its part and stopped."""
    parts = urlsplit(url)
    stalled = {}
    for kind, data in (("header", PARTIAL_HEADER), ("body", PARTIAL_BODY)):
        for _ in range(count):
            sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
            sock.sendall(data)
            sock.setblocking(False)
            stalled[sock] = kind
    return stalled


def watch(stalled: dict[socket.socket, str], pid: int, deadline: float) -> tuple[Counter, float]:
    """Wait until the server closed every stalled connection: how each ended, how long."""
    selector = selectors.DefaultSelector()
    for sock in stalled:
        selector.register(sock, selectors.EVENT_READ)
    endings: Counter = Counter()
    start = next_report = time.monotonic()
    while len(selector.get_map()) and time.monotonic() - start < deadline:
        for key, _ in selector.select(timeout=0.5):
            sock = key.fileobj
            try:
                answer = sock.recv(65536)
            except (ConnectionResetError, BlockingIOError):
                answer = b""
            status = answer[9:12].decode() if answer.startswith(b"HTTP/1.1 ") else "closed"
            endings[f"{stalled[sock]}: {status}"] += 1
            selector.unregister(sock)
            sock.close()
        if time.monotonic() >= next_report:
            print(f"t={time.monotonic() - start:5.1f} s: server fds {open_fds(pid)}, "
                  f"stalled connections open {len(selector.get_map())}", flush=True)
            next_report += 2.0
    left = len(selector.get_map())
    for key in list(selector.get_map().values()):
        key.fileobj.close()
    endings["still open"] = left
    return endings, time.monotonic() - start


def main() -> int:
    args = parse_args()
    process, url = start_server(["--pretrained", args.pretrained], None)
    try:
        httpx.post(url + "/api/generate", json={"n": 1, "seed": 0}, timeout=60)
        print(f"server fds before: {open_fds(process.pid)}")
        stalled = open_stalled(url, args.stalled)
        print(f"opened {2 * args.stalled} stalled connections; server fds {open_fds(process.pid)}")
        endings, seconds = watch(stalled, process.pid, args.deadline)
        left = endings["still open"]
        done = f"{left} still open (now closed by this script)" if left else "all closed"
        time.sleep(1.0)  # the server's side of the last closes
        print(f"{done} after {seconds:.1f} s; server fds 1 s later: {open_fds(process.pid)}")
        print("endings: " + ", ".join(f"{k} {v}" for k, v in sorted(endings.items())))
        code = httpx.post(url + "/api/generate", json={"n": 1, "seed": 1}, timeout=60).status_code
        print(f"a normal request afterwards: {code}")
        return 0 if left == 0 and code == 200 else 1
    finally:
        stop_server(process)


if __name__ == "__main__":
    sys.exit(main())
