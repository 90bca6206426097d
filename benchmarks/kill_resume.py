"""kill -9 a tiny training run at many moments, resume it, and compare it with a run never
interrupted: every tensor of the final checkpoint, metrics.jsonl and every sample PNG must
be byte-identical, and no temporary file may be left in the run folder.

    GANFORGE_DATA=/path/to/datasets OMP_NUM_THREADS=1 python benchmarks/kill_resume.py

Prints a Markdown table (docs/reliability.md). Two moments are a SIGKILL sent from outside
while the run trains; the others are a SIGKILL the process sends itself at an exact point
of a write (the temporary file half written, as a kill in the middle of it leaves it), since
those windows last milliseconds. Each killed run is continued as a user would after a crash:
`ganforge train --resume auto --out RUN`.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRAIN = ["--preset", "mlp-mnist", "--limit", "512", "--batch-size", "32", "--epochs", "3",
         "--log-every", "1", "--g-hidden", "64,128", "--d-hidden", "128,64", "--eval-every",
         "0", "--keep", "2", "--no-progress"]
# 512 images / batch 32 = 16 generator steps an epoch; checkpoints at steps 16, 32 and final.

# moment -> (how, what, which occurrence, fraction of the file written before the kill)
MOMENTS = {
    "right after start": ("outside", "config.toml", 1, None),
    "mid-epoch (epoch 2, step 24)": ("outside", 24, 1, None),
    "writing a checkpoint's tensors": ("write", "step_0000032.safetensors", 1, 0.5),
    "between tensors and record": ("write", "step_0000032.json", 1, 0.0),
    "appending to metrics.jsonl": ("append", "metrics.jsonl", 20, 0.5),
    "writing a sample grid": ("write", "epoch_002.png", 1, 0.5),
    "writing the final checkpoint": ("write", "final.safetensors", 1, 0.5),
    "mid-epoch, then again in the resumed run": ("outside", 24, 2, None),
}


def _self_kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def child(moment: str, out: str) -> None:
    """Train as `ganforge train` does, SIGKILLing this process at `moment`."""
    import ganforge.fileio as fileio
    from ganforge.runs.folder import RunFolder

    how, what, occurrence, fraction = MOMENTS[moment]
    writes, appends = [], []
    original_write, original_append = fileio.atomic_write, RunFolder.append_records

    def atomic_write(path, write, size=None):
        if how == "write" and fnmatch.fnmatch(Path(path).name, what):
            writes.append(path)
            if len(writes) == occurrence:
                def half_then_kill(tmp):
                    write(tmp)
                    os.truncate(tmp, int(tmp.stat().st_size * fraction))
                    _self_kill()
                return original_write(path, half_then_kill, size)
        return original_write(path, write, size)

    def append_records(self, records):
        records = list(records)
        appends.append(len(records))
        if how == "append" and len(appends) == occurrence:
            data = "".join(__import__("json").dumps(r) + "\n" for r in records).encode()
            with open(self.metrics, "ab") as fh:
                fh.write(data[: int(len(data) * fraction)])
            _self_kill()
        return original_append(self, records)

    fileio.atomic_write = atomic_write
    import ganforge.viz.grid as grid

    grid.atomic_write = atomic_write
    RunFolder.append_records = append_records
    from ganforge.cli import main

    sys.exit(main(["train", *TRAIN, "--out", out]))


def _ganforge(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ganforge", *args], capture_output=True,
                          text=True, timeout=600)


def _kill_from_outside(args: list[str], run: Path, what) -> None:
    """Start `args`, SIGKILL it once `what` holds (a file exists / metrics.jsonl has lines)."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    metrics, deadline = run / "metrics.jsonl", time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if (isinstance(what, str) and (run / what).exists()) or (
                isinstance(what, int) and metrics.exists()
                and metrics.read_bytes().count(b"\n") >= what):
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def interrupt(moment: str, run: Path) -> list[str]:
    """Kill a run at `moment`; returns what each resume said about where it continued."""
    how, what, occurrence, _ = MOMENTS[moment]
    said = []
    if how == "outside":
        _kill_from_outside([sys.executable, "-m", "ganforge", "train", *TRAIN, "--out",
                            str(run)], run, what)
        for _ in range(occurrence - 1):  # kill the resumed run as well, 16 steps later
            what += 16
            _kill_from_outside([sys.executable, "-m", "ganforge", "train", "--resume", "auto",
                                "--out", str(run), "--no-progress"], run, what)
            said.append("killed again")
    else:
        code = subprocess.run([sys.executable, __file__, "--child", moment, str(run)],
                              capture_output=True).returncode
        assert code == -signal.SIGKILL, f"{moment}: the run ended with {code}, not SIGKILL"
    temporaries = sorted(p.name for p in run.rglob("*.tmp"))
    result = _ganforge("train", "--resume", "auto", "--out", str(run), "--no-progress")
    assert result.returncode == 0, f"{moment}: resume failed: {result.stderr[-500:]}"
    lines = result.stdout.splitlines() + result.stderr.splitlines()
    said += [line for line in lines if "resuming" in line or "falling back" in line]
    return [*(["left: " + ", ".join(temporaries)] if temporaries else []), *said]


def compare(reference: Path, run: Path) -> tuple[str, str, str, int]:
    """(tensors equal, metrics equal, samples equal, temporary files left) as table cells."""
    from safetensors.torch import load_file

    ta = load_file(reference / "checkpoints" / "final.safetensors")
    tb = load_file(run / "checkpoints" / "final.safetensors")
    same = sum(1 for k in ta if k in tb and ta[k].equal(tb[k]))
    metrics_a, metrics_b = (p / "metrics.jsonl" for p in (reference, run))
    lines = metrics_a.read_text().count("\n")
    metrics = f"{lines} lines, identical" if metrics_a.read_bytes() == metrics_b.read_bytes() \
        else "DIFFERENT"
    grids = sorted((reference / "samples").glob("*.png"))
    equal = sum((run / "samples" / g.name).exists()
                and (run / "samples" / g.name).read_bytes() == g.read_bytes() for g in grids)
    return (f"{same} of {len(ta)}" + ("" if len(ta) == len(tb) else f" ({len(tb)} there)"),
            metrics, f"{equal} of {len(grids)}", len(list(run.rglob("*.tmp"))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("MOMENT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        reference = Path(scratch) / "reference"
        result = _ganforge("train", *TRAIN, "--out", str(reference))
        assert result.returncode == 0, result.stderr[-500:]
        print("| kill -9 ... | resumed (what resume said) | final tensors equal | "
              "metrics.jsonl | sample PNGs equal | .tmp files left |")
        print("|---|---|---|---|---|---|")
        failures = 0
        for index, moment in enumerate(MOMENTS):
            run = Path(scratch) / f"run{index}"
            said = interrupt(moment, run)
            tensors, metrics, samples, left = compare(reference, run)
            failures += "DIFFERENT" in metrics or left > 0 or tensors.split()[0] != \
                tensors.split()[2] or samples.split()[0] != samples.split()[2]
            notes = "; ".join(s.replace(str(run), "RUN").replace("ganforge: ", "")
                              for s in said) or "restarted (no checkpoint yet)"
            print(f"| {moment} | {notes} | {tensors} | {metrics} | {samples} | {left} |",
                  flush=True)
    print(f"\n{len(MOMENTS)} moments, {failures} differing; {time.perf_counter() - start:.0f} s")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
