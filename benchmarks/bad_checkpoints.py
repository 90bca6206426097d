"""Feed ganforge damaged and hostile checkpoints and run folders; print, for each, the exit
code, the one line it said and the command's peak RSS (all must stay under 1 GB, none may
print a traceback).

    GANFORGE_DATA=/path/to/datasets OMP_NUM_THREADS=1 python benchmarks/bad_checkpoints.py

Loading cases run `ganforge sample CHECKPOINT`; resume cases run `ganforge train --resume
RUN` on a finished two-epoch run whose final checkpoint was tampered (an invalid one must be
skipped for the step checkpoint before it, and the run must finish with metrics.jsonl whole).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TRAIN = ["--preset", "mlp-mnist", "--limit", "256", "--batch-size", "32", "--epochs", "2",
         "--g-hidden", "32,64", "--d-hidden", "64,32", "--eval-every", "0", "--no-progress"]


def _set(**fields) -> Callable[[Path], None]:
    """Tamper: set record fields (config_NAME sets a model setting)."""
    def apply(record_path: Path) -> None:
        record = json.loads(record_path.read_text())
        for key, value in fields.items():
            if key.startswith("config_"):
                record["config"]["model"][key[7:]] = value
            else:
                record[key] = value
        record_path.write_text(json.dumps(record))
    return apply


def _write(text: str | bytes) -> Callable[[Path], None]:
    def apply(record_path: Path) -> None:
        data = text.encode() if isinstance(text, str) else text
        record_path.write_bytes(data)
    return apply


def _fifo(record_path: Path) -> None:
    os.mkfifo(record_path.parent / "pipe.safetensors")
    _set(tensors="pipe.safetensors")(record_path)


def _huge_header(record_path: Path) -> None:
    tensors = record_path.with_suffix(".safetensors")
    data = tensors.read_bytes()
    tensors.write_bytes((10**12).to_bytes(8, "little") + data[8:])


def _bad_metrics_line(record_path: Path) -> None:
    metrics = record_path.parent.parent / "metrics.jsonl"
    lines = metrics.read_bytes().splitlines(keepends=True)
    metrics.write_bytes(lines[0] + b'{"step": \xff\xfe}\n' + b"".join(lines[2:]))


DEEP = "[" * 100_000 + "]" * 100_000
LOAD_CASES = {
    "config g_hidden [30000, 30000]": _set(config_g_hidden=[30000, 30000]),
    "config g_hidden [1000000, 1000000]": _set(config_g_hidden=[1000000, 1000000]),
    "config image_size 100000": _set(config_image_size=100000),
    "config latent_dim -3": _set(config_latent_dim=-3),
    "tensors /dev/zero": _set(tensors="/dev/zero"),
    "tensors /etc/passwd": _set(tensors="/etc/passwd"),
    "tensors ../../other/final.safetensors": _set(tensors="../../other/final.safetensors"),
    "tensors 123": _set(tensors=123), "tensors null": _set(tensors=None),
    'tensors "."': _set(tensors="."), "tensors a fifo": _fifo,
    "record nested 100,000 deep": _write(DEEP),
    "record of 20 MB": _write('{"format": "' + "x" * 20_000_000 + '"}'),
    "record not UTF-8": _write(b'{"format": "\xff"}'),
    "header length 10^12": _huge_header,
}
RESUME_CASES = {
    "records -40": _set(records=-40), "records \"x\"": _set(records="x"),
    "step -100": _set(step=-100), 'step "abc"': _set(step="abc"),
    "rng_numpy [1, 2]": _set(rng_numpy=[1, 2]), "epoch_sums 5": _set(epoch_sums=5),
    'lr "evil"': _set(opt_g_groups=[{"lr": "evil", "params": [0]}]),
    "latent_dim -3": _set(config_latent_dim=-3),
    "record nested 100,000 deep": _write(DEEP),
    "bad UTF-8 line in metrics.jsonl": _bad_metrics_line,
}


def measure(args: list[str]) -> tuple[int, str, str, float]:
    """Exit code, stdout, stderr and peak RSS (MB) of `ganforge ARGS`."""
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen([sys.executable, "-m", "ganforge", *args], stdout=out,
                                 stderr=subprocess.PIPE, text=True)
        stderr = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
        out.seek(0)
        stdout = out.read()
    return os.waitstatus_to_exitcode(status), stdout, stderr, usage.ru_maxrss / 1024


def _said(stderr: str, scratch: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    text = " / ".join(lines[:1] + (["..."] if len(lines) > 1 else []))
    text = re.sub(re.escape(scratch) + r"/(load|resume)\d+", "RUN", text)
    text = text.replace("ganforge: error: ", "")
    return text if len(text) <= 170 else text[:167] + "..."


def _row(kind: str, case: str, code: int, stderr: str, peak: float, scratch: str,
         extra: str = "") -> bool:
    ok = "Traceback" not in stderr and peak < 1024 and (
        code == 2 and len(stderr.strip().splitlines()) == 1 if kind == "load" else code in (0, 2))
    print(f"| {kind} | {case} | {code} | {_said(stderr, scratch)}{extra} | {peak:.0f} MB |",
          flush=True)
    return ok


def main() -> None:
    start, failures = time.perf_counter(), 0
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch) / "base"
        code, _, stderr, _ = measure(["train", *TRAIN, "--out", str(base)])
        assert code == 0, stderr[-500:]
        shutil.copytree(base, Path(scratch) / "other")
        lines = (base / "metrics.jsonl").read_bytes().count(b"\n")
        print("| command | case | exit | what it said (error line, or the fallback warning) | "
              "peak RSS |")
        print("|---|---|---|---|---|")
        for kind, cases in (("load", LOAD_CASES), ("resume", RESUME_CASES)):
            for index, (case, tamper) in enumerate(cases.items()):
                run = Path(scratch) / f"{kind}{index}"
                shutil.copytree(base, run)
                record = run / "checkpoints" / "final.json"
                tamper(record)
                args = ["sample", str(record), "--out", str(run / "g.png")] if kind == "load" \
                    else ["train", "--resume", str(run), "--no-progress"]
                code, stdout, stderr, peak = measure(args)
                extra = ""
                if kind == "resume":
                    kept = (run / "metrics.jsonl").read_bytes().count(b"\n")
                    warned = [line for line in stdout.splitlines() if "falling back" in line]
                    extra = f"{_said(warned[0], scratch) if warned else ''} (metrics.jsonl: " \
                            f"{kept} of {lines} lines)"
                    failures += kept != lines
                failures += not _row(kind, case, code, stderr, peak, scratch, extra)
    total = len(LOAD_CASES) + len(RESUME_CASES)
    print(f"\n{total} cases, {failures} failing; {time.perf_counter() - start:.0f} s")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
