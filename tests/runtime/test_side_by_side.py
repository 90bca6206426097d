"""benchmarks/side_by_side.py (the last part of `make bench`) prints a row per loop: the
tutorial loop, ganforge's default fp32 and, where the CPU has native bf16, the opt-in
bf16, each with its ratio and its share of its own precision's ceiling."""

import subprocess
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]


def test_every_loop_gets_a_row_with_its_ratio_and_ceiling_share():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "side_by_side.py"),
                           "--models", "mlp", "--reps", "1", "--steps", "2"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith("mlp ")]
    native = torch.backends.mkldnn.is_available() and \
        torch.ops.mkldnn._is_mkldnn_bf16_supported()
    loops = [" ".join(r[1:3]) if r[1] == "ganforge" else r[1] for r in rows]
    assert loops == ["tutorial", "ganforge fp32"] + (["ganforge bf16"] if native else [])
    assert rows[0][4] == "1.00x" and all(float(r[-1].rstrip("%")) > 0 for r in rows)
    assert "ceilings: fp32" in done.stdout


def test_the_step_profile_lists_the_largest_operations_of_a_step():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "step_profile.py"),
                           "--model", "mlp", "--steps", "2", "--top", "3"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ms/step"))
    assert "mlp, ganforge loop, batch 64:" in lines[head - 1]
    rows = [line.split() for line in lines[head + 1:]]
    assert len(rows) == 3 and all(float(r[0]) > 0 and float(r[1]) > 0 for r in rows)
    times = [float(r[0]) for r in rows]
    assert times == sorted(times, reverse=True)  # the largest first
