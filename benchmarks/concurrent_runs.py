"""Total training speed of N `ganforge train` runs started together on one machine.

    nice -n 5 python benchmarks/concurrent_runs.py [--counts 1,2,4] [--steps 150]
        [--limit 12800] [--preset dcgan-mnist] [--env NAME=VALUE ...] [--threads N]
        [--stagger S]

For each N, starts N copies of

    ganforge train --preset dcgan-mnist --max-steps 150 --limit 12800 --eval-every 0
        --no-progress --out TMP/runI

at once (or `--stagger` seconds apart), waits for all, and prints the total images/s of
the N runs (N x steps x batch images over the wall time from the first start to the last
end, start-up included), the ratio to one run alone, and the load average before and after.
`--env` adds variables to the runs' environment (e.g. `--env GOMP_SPINCOUNT=300000` for
libgomp's own spin in every run); by default the runs get this script's environment, as a
user's shell would give them, and each chooses its spin as it starts.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BATCH = 64  # the dcgan-mnist and mlp-mnist presets' batch


def load_text() -> str:
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def command(preset: str, steps: int, limit: int, out: Path, threads: int | None) -> list[str]:
    ganforge = Path(sys.executable).with_name("ganforge")
    cmd = [str(ganforge) if ganforge.exists() else sys.executable, *([] if ganforge.exists()
           else ["-m", "ganforge"]), "train", "--preset", preset, "--max-steps", str(steps),
           "--limit", str(limit), "--eval-every", "0", "--no-progress", "--out", str(out)]
    return cmd + (["--threads", str(threads)] if threads else [])


def run_together(count: int, args: argparse.Namespace, env: dict[str, str]) -> float:
    """Seconds from starting `count` runs at once to the end of the last one."""
    with tempfile.TemporaryDirectory(prefix="ganforge-concurrent-") as tmp:
        start, procs = time.perf_counter(), []
        for i in range(count):
            time.sleep(args.stagger if i else 0.0)
            procs.append(subprocess.Popen(command(args.preset, args.steps, args.limit,
                                                  Path(tmp) / f"run{i}", args.threads),
                                          env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.PIPE, text=True))
        for proc in procs:
            _, err = proc.communicate()
            if proc.returncode != 0:
                raise SystemExit(f"a run failed (exit {proc.returncode}): {err[-500:]}")
        return time.perf_counter() - start


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--counts", default="1,2,4", help="comma-separated numbers of runs")
    p.add_argument("--preset", default="dcgan-mnist")
    p.add_argument("--steps", type=int, default=150)
    p.add_argument("--limit", type=int, default=12800)
    p.add_argument("--threads", type=int, help="--threads of each run (default: ganforge's)")
    p.add_argument("--stagger", type=float, default=0.0, metavar="S",
                   help="seconds between one run's start and the next (0: all at once)")
    p.add_argument("--env", nargs="*", default=[], metavar="NAME=VALUE",
                   help="variables added to each run's environment")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = dict(os.environ)
    env.update(item.split("=", 1) for item in args.env)
    added = " ".join(args.env) or "none"
    print(f"{args.preset}, {args.steps} steps of batch {BATCH} per run, limit {args.limit}; "
          f"{os.cpu_count()} cores; added environment: {added}; threads per run: "
          f"{args.threads or 'ganforge default'}; started {args.stagger:g} s apart",
          flush=True)
    single = None
    print(f"{'runs':>4} {'seconds':>8} {'images/s':>9} {'vs one':>7}  load before -> after")
    for count in [int(c) for c in args.counts.split(",")]:
        before = load_text()
        seconds = run_together(count, args, env)
        rate = count * args.steps * BATCH / seconds
        single = rate if single is None and count == 1 else single
        ratio = f"{rate / single:6.2f}x" if single else "     -"
        print(f"{count:>4} {seconds:>8.1f} {rate:>9.1f} {ratio:>7}  {before} -> "
              f"{load_text().removeprefix('load average ')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
