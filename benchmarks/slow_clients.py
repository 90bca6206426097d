"""Legitimate requests while one address holds 200 slow connections (issue 37, class 12).

Starts `ganforge serve --pretrained mlp-mnist` on 127.0.0.1, opens SLOW connections from
127.0.0.2 that each send the first bytes of a request and then nothing (they hold their
slots until the header deadline), then sends REQUESTS ordinary requests from 127.0.0.1 one
after another (half GET /api/info, half POST /api/generate of 4 images) and reports how many
were answered 200, against the same requests with no slow client. Loopback only.

    PYTHONPATH=src OMP_NUM_THREADS=1 python benchmarks/slow_clients.py [--slow 200]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time

import httpx

SLOW_ADDRESS = "127.0.0.2"


def start_server() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "ganforge", "serve", "--pretrained",
                             "mlp-mnist", "--port", "0", "--no-access-log"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        found = re.search(r"on (http://[0-9.:]+)", line)
        if found:
            return proc, found.group(1)
    proc.kill()
    raise SystemExit("the server did not start")


def hold(url: str, count: int) -> list[socket.socket]:
    host, port = url.removeprefix("http://").split(":")
    held = []
    for _ in range(count):
        sock = socket.socket()
        sock.settimeout(5)
        sock.bind((SLOW_ADDRESS, 0))
        sock.connect((host, int(port)))
        sock.sendall(b"GET /api/info HTTP/1.1\r\nHo")
        held.append(sock)
    return held


def requests(url: str, count: int) -> tuple[int, list[float]]:
    ok, times = 0, []
    with httpx.Client(base_url=url, timeout=10) as client:
        for i in range(count):
            start = time.monotonic()
            try:
                answer = client.get("/api/info") if i % 2 else \
                    client.post("/api/generate", json={"n": 4, "seed": i})
                ok += answer.status_code == 200
            except httpx.HTTPError:
                pass
            times.append(time.monotonic() - start)
    return ok, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=200, help="slow connections (default 200)")
    parser.add_argument("--requests", type=int, default=200, help="legitimate requests")
    args = parser.parse_args()
    proc, url = start_server()
    try:
        base_ok, base_times = requests(url, args.requests)
        held = hold(url, args.slow)
        time.sleep(0.5)
        refused = 0
        for sock in held:  # a refused one has its 503 waiting; the others send nothing
            sock.settimeout(0.05)
            try:
                refused += sock.recv(16).startswith(b"HTTP/1.1 503")
            except (TimeoutError, OSError):
                pass
        ok, times = requests(url, args.requests)
        for sock in held:
            sock.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"no slow client: {base_ok}/{args.requests} answered 200, median "
          f"{statistics.median(base_times) * 1000:.0f} ms")
    print(f"{args.slow} slow connections from {SLOW_ADDRESS} ({refused} refused with 503 at "
          f"once): {ok}/{args.requests} answered 200 ({ok / args.requests:.1%}), median "
          f"{statistics.median(times) * 1000:.0f} ms, slowest {max(times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
