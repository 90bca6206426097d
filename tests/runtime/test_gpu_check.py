"""benchmarks/gpu_check.py runs unchanged on CPU (`--device cpu --quick`): the CUDA tests
(skipped here), the ceilings and every model's row, one JSON and one table."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_gpu_check_runs_on_cpu_quickly_and_writes_its_json_and_table(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gpu_check.py"),
                           "--device", "cpu", "--quick", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "gpu_check.json").read_text())
    assert result["tests"]["exit_code"] == 0 and "skipped" in result["tests"]["summary"]
    assert all(v > 0 for v in result["ceilings_gflop_per_s"].values())
    rows = result["rows"]
    assert {r["model"] for r in rows} == {"mlp", "dcgan28", "dcgan64", "t2i64"}
    timed = [r for r in rows if "images_per_s" in r]
    assert {r["loop"] for r in timed} == {"tutorial", "ganforge fp32", "ganforge bf16"}
    assert all(r["images_per_s"] > 0 and r["ratio"] > 0 for r in timed)
    captured = [r for r in rows if r["loop"].startswith("captured")]
    assert len(captured) == 4 and all("CUDA" in r["skipped"] for r in captured)
    table = (tmp_path / "gpu_check.txt").read_text()
    assert "images/s" in table and "t2i64" in table and "CUDA tests:" in table
