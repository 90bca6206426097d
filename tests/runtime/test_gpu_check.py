"""benchmarks/gpu_check.py runs unchanged on CPU (`--device cpu --quick`): the CUDA tests
(skipped here), the ceilings and every model's row, one JSON and one table. It runs where
only a bare GPU image's packages are, writes what it has as it goes, gives its tests a
timeout and compiling its share of the budget, and counts each row's own GPU memory (the
CUDA calls faked here)."""

import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomllib
import torch

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


# What the CPU venv has and a bare GPU image (torch, numpy, safetensors, pillow, tqdm,
# matplotlib, pytest and the like, but no venv and no internet) lacks.
MISSING_THERE = ("tomli_w", "tomlkit", "fastapi", "starlette", "pydantic", "uvicorn",
                 "importlinter", "grimp", "playwright", "tensorboard", "sklearn")


class Killed(BaseException):
    """The process killed at the command's time limit, in the middle of a row."""


@pytest.fixture
def gpu_check(monkeypatch):
    """benchmarks/gpu_check.py imported in this process; what importing it changes (sys.path,
    side_by_side's made-up grid captions, the benchmark modules) is put back afterwards."""
    from ganforge.training import grid

    monkeypatch.setattr(sys, "path", [str(ROOT / "benchmarks"), *sys.path])
    monkeypatch.setattr(grid, "GRID_CONDITIONS", dict(grid.GRID_CONDITIONS))
    yield importlib.import_module("gpu_check")
    for name in ("gpu_check", "side_by_side", "bench_util", "tutorial64"):
        sys.modules.pop(name, None)


def _row(model, batch, name, options, args) -> dict:
    return {"model": model, "batch": batch, "loop": name, "images_per_s": 10.0,
            "mflop_per_image": 1.0, "peak_gpu_mb": None}


def test_the_check_needs_only_what_a_bare_gpu_image_has(tmp_path):
    """As `make gpu-check-here` runs it (ganforge from src/), with every package of
    MISSING_THERE unimportable (a stub of each raises ImportError, in child processes too):
    --help, and the quick check, whose ganforge runs write their config.toml."""
    stubs, scratch = tmp_path / "stubs", tmp_path / "tmp"
    stubs.mkdir()
    scratch.mkdir()
    for name in MISSING_THERE:
        (stubs / f"{name}.py").write_text(f"raise ImportError('no {name} on this machine')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(stubs), str(ROOT / "src")]),
           "TMPDIR": str(scratch), "OMP_NUM_THREADS": "1"}
    script = [sys.executable, str(ROOT / "benchmarks" / "gpu_check.py")]
    probe = subprocess.run([sys.executable, "-c", "import tomli_w"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert "no tomli_w on this machine" in probe.stderr  # the stubs do hide them
    helped = subprocess.run([*script, "--help"], env=env, capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert helped.returncode == 0 and "--out" in helped.stdout, helped.stderr[-3000:]
    done = subprocess.run([*script, "--device", "cpu", "--quick", "--models", "mlp",
                           "--no-tests", "--out", str(tmp_path / "out")], env=env,
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = json.loads((tmp_path / "out" / "gpu_check.json").read_text())["rows"]
    assert {r["loop"] for r in rows if "images_per_s" in r} == {
        "tutorial", "ganforge fp32", "ganforge bf16"}
    configs = list(scratch.glob("ganforge-sbs-*/run/config.toml"))
    assert configs and all(tomllib.loads(c.read_text())["train"]["batch_size"] == 16
                           for c in configs)


def test_a_kill_midway_leaves_the_tests_ceilings_and_rows_so_far(gpu_check, tmp_path,
                                                                 monkeypatch):
    timeouts = []

    def tests(timeout):
        timeouts.append(timeout)
        return {"exit_code": None, "timed_out": True, "summary": "timed out after 150 s"}

    def measure(*row):
        if (tmp_path / "gpu_check.json").exists() and \
                json.loads((tmp_path / "gpu_check.json").read_text())["rows"]:
            raise Killed
        return _row(*row)

    monkeypatch.setattr(gpu_check, "run_tests", tests)
    monkeypatch.setattr(gpu_check, "measure", measure)
    with pytest.raises(Killed):
        gpu_check.main(["--device", "cpu", "--quick", "--models", "mlp", "--budget-s", "300",
                        "--out", str(tmp_path)])
    assert timeouts == [150.0]  # half the budget
    result = json.loads((tmp_path / "gpu_check.json").read_text())
    assert result["tests"]["timed_out"] and result["ceilings_gflop_per_s"]["fp32"] > 0
    assert [r["loop"] for r in result["rows"]] == ["tutorial"]
    table = (tmp_path / "gpu_check.txt").read_text()
    assert "CUDA tests: timed out after 150 s" in table and "\nmlp " in table
    assert not list(tmp_path.glob(".*.tmp"))  # written whole, through renames


def test_timed_out_tests_fail_the_check(gpu_check, tmp_path, monkeypatch):
    seen = {}

    def run(cmd, **options):
        seen.update(options, cmd=cmd)
        raise subprocess.TimeoutExpired(cmd, options["timeout"], output=b"collected 9\n..")

    monkeypatch.setattr(gpu_check.subprocess, "run", run)
    tests = gpu_check.run_tests(150.0)
    assert seen["timeout"] == 150.0 and all(name in " ".join(seen["cmd"])
                                            for name in gpu_check.TEST_FILES)
    assert tests["timed_out"] and tests["exit_code"] is None and tests["last_lines"][-1] == ".."
    assert "timed out after 150 s" in tests["summary"]
    monkeypatch.setattr(gpu_check, "run_tests", lambda timeout: tests)
    monkeypatch.setattr(gpu_check, "measure", _row)
    assert gpu_check.main(["--device", "cpu", "--quick", "--models", "mlp",
                           "--out", str(tmp_path)]) == 1


def test_a_compiled_row_starts_only_with_enough_budget_left(gpu_check):
    args = gpu_check.parse_args(["--budget-s", "300"])
    now = time.perf_counter()
    assert gpu_check.budget_skip({"compile": "true"}, args, now) == ""
    left_100 = now - 200
    assert "under the 120 s compiling needs" in gpu_check.budget_skip(
        {"compile": "true"}, args, left_100)
    assert gpu_check.budget_skip({"precision": "bf16"}, args, left_100) == ""  # eager: starts
    assert "budget of 300 s spent" in gpu_check.budget_skip({}, args, now - 301)


def test_peak_memory_is_what_a_row_allocated_beyond_its_start(gpu_check, monkeypatch):
    """The earlier rows' loops hold reference cycles: collected before the cache is emptied
    and the peak reset; the peak is then counted from what was allocated at the reset."""
    order = []
    monkeypatch.setattr(gpu_check.gc, "collect", lambda: order.append("collect"))
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: order.append("empty"))
    monkeypatch.setattr(torch.cuda, "reset_peak_memory_stats",
                        lambda device: order.append(f"reset {device}"))
    monkeypatch.setattr(torch.cuda, "memory_allocated", lambda device: 100 * 2**20)
    monkeypatch.setattr(torch.cuda, "max_memory_allocated", lambda device: 150 * 2**20)

    class Loop:
        flops = 1e6

        def steps(self, n):
            pass

    monkeypatch.setattr(gpu_check.sbs, "TutorialLoop", lambda *args, **options: Loop())
    monkeypatch.setattr(gpu_check.sbs, "rate", lambda loop, steps: 1000.0)
    row = gpu_check.measure("mlp", 16, "tutorial", {},
                            gpu_check.parse_args(["--device", "cuda:1", "--quick"]))
    assert order == ["collect", "empty", "reset cuda:1"]
    assert row["peak_gpu_mb"] == 50.0 and row["images_per_s"] == 1000.0


def test_an_indexed_card_becomes_the_current_device(gpu_check, monkeypatch):
    current = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)  # resolve_device checks it
    monkeypatch.setattr(torch.cuda, "set_device", current.append)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device: f"card {device}")
    header = gpu_check.begin(gpu_check.parse_args(["--device", "cuda:1"]))
    assert current == [torch.device("cuda", 1)] and header[0] == "device: card cuda:1"
    gpu_check.begin(gpu_check.parse_args(["--device", "cuda"]))  # the current card as it is
    assert current == [torch.device("cuda", 1)]
    assert header[-1] == gpu_check.PEAK_NOTE
