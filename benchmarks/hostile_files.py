"""The second round of hostile input (issue 37): flowers label/split files, image headers,
special files, deep JSON, numbers on the command line, output paths, malformed pretrained
records, encrypted npz, `data make` over a user's folder and a run folder in use. Each case is
a real `ganforge` command in a fresh process; a case holds when it ends within 30 s, exits as
expected with one line and no traceback, stays under 1 GB RSS, and its check passes (the
device, the user's file, the other run are as they were).

    GANFORGE_DATA=/path/to/datasets PYTHONPATH=src OMP_NUM_THREADS=1 \\
        python benchmarks/hostile_files.py [--workdir DIR]

Needs the synthetic-flowers set in the user cache (`ganforge data make synthetic-flowers`)
and MNIST in $GANFORGE_DATA (for the run-folder case). Prints a Markdown table and a summary.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hostile_makers import Case, build_cases

LIMIT_S, LIMIT_MB = 30.0, 1024.0
WRAPPER = ("import resource, subprocess, sys, time; t = time.monotonic()\n"
           "try:\n    r = subprocess.run(sys.argv[2:], capture_output=True, text=True, "
           "timeout=float(sys.argv[1])); code, err = r.returncode, r.stderr + r.stdout\n"
           "except subprocess.TimeoutExpired:\n    code, err = 'hung', ''\n"
           "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
           "time.monotonic() - t); print(err.replace(chr(10), chr(1)))")


def measure(command: list[str], env: dict[str, str]) -> tuple[str, float, float, str]:
    """(exit code or 'hung', peak RSS MB, seconds, stderr+stdout) of `ganforge COMMAND`."""
    full = [sys.executable, "-c", WRAPPER, str(LIMIT_S), sys.executable, "-m", "ganforge",
            *command]
    out = subprocess.run(full, capture_output=True, text=True, env={**os.environ, **env},
                         check=True).stdout.split("\n", 1)
    code, kib, seconds = out[0].split()
    return code, int(kib) / 1024, float(seconds), out[1].replace("\x01", "\n").strip()


def judge(case: Case, code: str, rss: float, seconds: float, text: str) -> tuple[bool, str]:
    lines = [line for line in text.splitlines() if line.strip()]
    shown = next((line for line in lines if "error" in line or "warning" in line),
                 lines[-1] if lines else "")
    problems = []
    if code == "hung" or seconds > LIMIT_S:
        problems.append("hung")
    if code != "hung" and int(code) != case.exit_code:
        problems.append(f"exit {code}")
    if "Traceback" in text:
        problems.append("traceback")
    if rss > LIMIT_MB:
        problems.append(f"{rss:.0f} MB")
    if case.one_line and sum("error" in line for line in lines) != 1:
        problems.append(f"{len(lines)} lines")
    if case.check is not None and (why := case.check()):
        problems.append(why)
    return not problems, ("; ".join(problems) + ": " if problems else "") + shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", help="build the files here (default: a temporary folder)")
    args = parser.parse_args()
    start, held, worst, slowest = time.monotonic(), 0, (0.0, ""), (0.0, "")
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        cases = build_cases(work)
        print("| class | case | exit | peak RSS | s | held | what it said |")
        print("|---|---|---|---|---|---|---|")
        for case in cases:
            with case.prepared():
                code, rss, seconds, text = measure(case.command, case.env)
                ok, line = judge(case, code, rss, seconds, text)
            held += ok
            worst, slowest = max(worst, (rss, case.name)), max(slowest, (seconds, case.name))
            line = line.replace(str(work), "…").replace("|", "\\|")
            line = line if len(line) <= 150 else line[:50] + " ... " + line[-95:]  # the why
            print(f"| {case.cls} | {case.name} | {code} | {rss:.0f} MB | {seconds:.1f} | "
                  f"{'yes' if ok else 'NO'} | {line} |", flush=True)
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{len(cases)} cases, {held} held; peak RSS of the worst {worst[0]:.0f} MB "
          f"({worst[1]}); slowest {slowest[0]:.1f} s ({slowest[1]}); "
          f"{time.monotonic() - start:.0f} s in all")


if __name__ == "__main__":
    main()
