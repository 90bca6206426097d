"""Load test of `ganforge serve` on loopback: concurrent clients, latency and throughput.

Starts `ganforge serve RUN --port 0` as a subprocess (access log off), sends --requests
requests from --clients threads (each with its own keep-alive connection), and prints
requests/s, latency percentiles, the count of non-2xx answers and the server process's
resident memory (RSS) over time. Exits 1 on any non-2xx.

    python benchmarks/load_test.py [RUN] [--clients 16] [--requests 1000] [--n 16]
        [--endpoint generate|interpolate|mixed] [--threads N] [--preset dcgan-mnist]
        [--pretrained NAME] [--warm-up N] [--deadline S]
    python benchmarks/load_test.py [RUN] --batching-check [--n 16] [--merge 4]

Without RUN it serves the shipped generator --pretrained names, or else first trains a
throwaway run of --preset for two steps on 128 images (the network's size, not its
quality, sets the serving cost); that needs $GANFORGE_DATA.

RSS is read from /proc every --rss-every seconds (Linux): the report gives it after the
warm-up (--warm-up requests from the same clients, not counted), its peak and its last
value, and a row at each tenth of the measured requests.
"""

from __future__ import annotations

import argparse
import itertools
import queue
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REQUEST_TIMEOUT_S = 60
MB = 1024 * 1024


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run", nargs="?", help="run folder (default: train a throwaway one)")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--requests", type=int, default=1000)
    p.add_argument("--n", type=int, default=16, help="images per request")
    p.add_argument("--endpoint", choices=("generate", "interpolate", "mixed"), default="mixed")
    p.add_argument("--threads", type=int, help="the server's --threads (default: its default)")
    p.add_argument("--batching-check", action="store_true",
                   help="instead of the load test: the forward-pass cost of requests alone and "
                   "merged by --merge, and whether merging changes their images")
    p.add_argument("--merge", type=int, default=4, help="requests per merged forward pass")
    p.add_argument("--preset", default="dcgan-mnist", help="preset of the throwaway run")
    p.add_argument("--pretrained", metavar="NAME", help="serve this shipped generator")
    p.add_argument("--warm-up", type=int, help="requests before measuring (default: --clients)")
    p.add_argument("--deadline", type=float, default=900.0,
                   help="seconds after which the measurement stops, whatever happens")
    p.add_argument("--rss-every", type=float, default=1.0, help="seconds between RSS readings")
    return p.parse_args()


def train_throwaway(preset: str, folder: Path) -> Path:
    from ganforge.config import resolve_config
    from ganforge.training.run import train

    overrides = {"limit": "128", "batch_size": "64", "max_steps": "2", "epochs": "1",
                 "eval_every": "0"}
    return train(resolve_config(preset, overrides=overrides), folder / "run", progress=False)


def stop_server(process: subprocess.Popen) -> None:
    """Ctrl-C (a graceful shutdown), then kill if it has not ended within 30 s."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def start_server(source: list[str], threads: int | None) -> tuple[subprocess.Popen, str]:
    """`ganforge serve SOURCE` (a run, or --pretrained NAME) on a free loopback port;
    returns the process and its URL."""
    extra = ["--threads", str(threads)] if threads else []
    process = subprocess.Popen(
        [sys.executable, "-m", "ganforge", "serve", *source, "--port", "0", "--no-access-log",
         *extra],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=120)
    except queue.Empty:
        process.kill()
        raise SystemExit("the server printed no start-up line within 120 s") from None
    url = line.split(" on ", 1)[1].split(" ", 1)[0]
    assert url.startswith("http://127.0.0.1:"), line  # loopback only
    return process, url


def request_for(i: int, endpoint: str, n: int) -> tuple[str, str, dict]:
    """(method, path, payload) of request i: seeds vary, so no two requests are alike."""
    if endpoint == "mixed":
        endpoint = "generate" if i % 2 == 0 else "interpolate"
    if endpoint == "generate":
        return "POST", "/api/generate", {"n": n, "seed": i}
    return "GET", "/api/interpolate", {"seed_a": i, "seed_b": i + 1, "t": (i % 101) / 100,
                                       "n": n}


def client_loop(url: str, args: argparse.Namespace, total: int, offset: int, counter,
                results: list, stop_at: float):
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_S) as client:
        while time.monotonic() < stop_at:
            i = next(counter)
            if i >= total:
                return
            method, path, payload = request_for(offset + i, args.endpoint, args.n)
            start = time.perf_counter()
            try:
                if method == "POST":
                    status = client.post(path, json=payload).status_code
                else:
                    status = client.get(path, params=payload).status_code
            except httpx.HTTPError as exc:
                status = f"error: {type(exc).__name__}"
            results.append((time.perf_counter() - start, status))


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux /proc; None elsewhere)."""
    import os

    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MiB (Linux /proc; None elsewhere)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / MB
    except OSError:
        pass
    return None


class RssMonitor(threading.Thread):
    """Reads the server's RSS every `every` s: samples of (seconds, requests done, MiB)."""

    def __init__(self, pid: int, results: list, every: float):
        super().__init__(daemon=True)
        self.pid, self.results, self.every = pid, results, every
        self.samples: list[tuple[float, int, float]] = []
        self.done = threading.Event()
        self.start_time = time.monotonic()

    def run(self) -> None:
        while not self.done.wait(self.every):
            self.sample()

    def sample(self) -> None:
        rss = rss_mb(self.pid)
        if rss is not None:
            self.samples.append((time.monotonic() - self.start_time, len(self.results), rss))


def measure(url: str, args: argparse.Namespace, total: int, offset: int = 0,
            results: list | None = None) -> tuple[float, list]:
    counter = itertools.count()  # next() on itertools.count is atomic under the GIL
    results = [] if results is None else results
    stop_at = time.monotonic() + args.deadline
    threads = [threading.Thread(target=client_loop,
                                args=(url, args, total, offset, counter, results, stop_at))
               for _ in range(args.clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, results


def report(elapsed: float, results: list, args: argparse.Namespace, cpu: float | None) -> int:
    latencies = sorted(seconds * 1000 for seconds, _ in results)
    statuses = [status for _, status in results]
    bad = [s for s in statuses if not (isinstance(s, int) and 200 <= s < 300)]
    server_errors = [s for s in statuses if isinstance(s, int) and s >= 500]
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    print(f"endpoint {args.endpoint}, n={args.n} images per request, {args.clients} clients, "
          f"server --threads {args.threads or 'default'}")
    print(f"requests: {len(results)} in {elapsed:.2f} s -> {len(results) / elapsed:.1f} requests/s")
    print(f"latency ms: p50 {q[49]:.1f}, p95 {q[94]:.1f}, p99 {q[98]:.1f}, max {latencies[-1]:.1f}")
    print(f"non-2xx answers: {len(bad)} (5xx: {len(server_errors)})")
    if cpu is not None:
        print(f"server CPU time: {cpu:.2f} s, {cpu / len(results) * 1000:.1f} ms per request")
    return 1 if bad or len(results) < args.requests else 0


def batching_check(run: Path, args: argparse.Namespace) -> int:
    """Would merging requests into one forward pass pay? CPU time per request, alone vs
    merged, measured in this process with one torch thread, and the largest change of output."""
    import torch

    from ganforge.serve.assembly import load_service

    torch.set_num_threads(1)
    service = load_service(run)
    latents = [service.latents(args.n, seed) for seed in range(args.merge)]
    alone = [service.decode(z) for z in latents]
    merged = service.decode(torch.cat(latents)).split(args.n)
    change = max((a - m).abs().max().item() for a, m in zip(alone, merged, strict=True))
    rounds = 50
    start = time.process_time()
    for _ in range(rounds):
        for z in latents:
            service.decode(z)
    per_alone = (time.process_time() - start) / (rounds * args.merge) * 1000
    start = time.process_time()
    for _ in range(rounds):
        service.decode(torch.cat(latents))
    per_merged = (time.process_time() - start) / (rounds * args.merge) * 1000
    print(f"{service.describe().arch}, n={args.n} per request, {args.merge} requests merged")
    print(f"forward CPU ms per request: alone {per_alone:.2f}, merged {per_merged:.2f}")
    print(f"largest change of an output value by merging: {change:.2e}")
    return 0


def report_rss(monitor: RssMonitor, warm: float | None, total: int) -> None:
    """RSS after the warm-up, at each tenth of the requests, its peak and its last value."""
    samples = monitor.samples
    if warm is None or not samples:
        return
    rows = []
    for tenth in range(1, 11):
        hit = next((x for x in samples if x[1] >= tenth * total // 10), samples[-1])
        rows.append(f"{hit[1]}: {hit[2]:.1f}")
    peak, last = max(x[2] for x in samples), samples[-1][2]
    low = min(x[2] for x in samples)
    print(f"server RSS MiB: after warm-up {warm:.1f}, peak {peak:.1f}, last {last:.1f}; "
          f"growth after warm-up {last - warm:+.1f} MiB ({(last - warm) / warm:+.1%}), "
          f"peak {(peak - warm) / warm:+.1%}, range {low:.1f}..{peak:.1f}")
    print("server RSS MiB by requests done: " + ", ".join(rows))


def run_load(url: str, pid: int, args: argparse.Namespace) -> int:
    """Warm up, then measure with the server's CPU time and RSS followed; report both."""
    warm_requests = args.clients if args.warm_up is None else args.warm_up
    measure(url, args, warm_requests, offset=10**6)
    warm = rss_mb(pid)
    results: list = []
    monitor = RssMonitor(pid, results, args.rss_every)
    before = cpu_seconds(pid)
    monitor.start()
    try:
        elapsed, results = measure(url, args, args.requests, results=results)
    finally:
        monitor.done.set()
        monitor.join()
    monitor.sample()
    after = cpu_seconds(pid)
    cpu = after - before if before is not None and after is not None else None
    status = report(elapsed, results, args, cpu)
    report_rss(monitor, warm, args.requests)
    return status


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="ganforge-load-") as tmp:
        if args.pretrained and not args.batching_check:
            source = ["--pretrained", args.pretrained]
        else:
            run = Path(args.run) if args.run else train_throwaway(args.preset, Path(tmp))
            if args.batching_check:
                return batching_check(run, args)
            source = [str(run)]
        process, url = start_server(source, args.threads)
        try:
            return run_load(url, process.pid, args)
        finally:
            stop_server(process)


if __name__ == "__main__":
    sys.exit(main())
