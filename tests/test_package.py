"""The package as a user installs it: pyproject's torch range, the Makefile's pinned torch,
and the wheel, built from a copy of the sources and installed into a fresh venv outside the
checkout, working with nothing of the source tree on its path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "ganforge"
MAX_WHEEL_MB = 40  # 35.5 MiB with ten generators (each at most 10 MB), the evaluators and
# the image-text encoders of the captioned sets


def _torch_requirement() -> Requirement:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return next(r for r in map(Requirement, project["dependencies"]) if r.name == "torch")


def test_torch_range_admits_newer_releases():
    spec = _torch_requirement().specifier
    # 2.13.0 is the Makefile's pin, 2.14.1 the newest release installable on this machine
    assert all(spec.contains(v) for v in ("2.2.0", "2.13.0", "2.14.1", "2.20.0", "3.0.0"))
    assert not spec.contains("2.1.2")


def test_makefile_installs_pinned_torch_before_ganforge():
    recipe = [ln.strip() for ln in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()]
    pin = recipe.index("$(BIN)/pip install -q torch==2.13.0")
    editable = next(i for i, ln in enumerate(recipe) if "pip install" in ln and " -e " in ln)
    assert pin < editable


def _package_files() -> set[str]:
    """What the wheel must hold: every module and every package-data file of the sources."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["ganforge"]
    files = set(PACKAGE.rglob("*.py"))
    for pattern in patterns:
        files.update(PACKAGE.glob(pattern))
    return {f"ganforge/{p.relative_to(PACKAGE).as_posix()}" for p in files
            if "__pycache__" not in p.parts}


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """sdist and wheel built (`python -m build`, as `make dist`) from a copy of the sources,
    so the build writes nothing into the checkout."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir",
                           str(out), str(source)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert len(list(out.glob("ganforge-*.tar.gz"))) == 1
    (built,) = out.glob("ganforge-*.whl")
    return built


@pytest.mark.package
def test_wheel_holds_every_module_preset_weight_and_generator(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = {n for n in archive.namelist() if n.startswith("ganforge/")}
    expected = _package_files()
    assert names == expected
    for kind in ("presets/best-fashion.toml", "metrics/weights/mnist.safetensors",
                 "pretrained/best-fashion.safetensors", "pretrained/t2i-fashion.json"):
        assert f"ganforge/{kind}" in names
    assert wheel.stat().st_size < MAX_WHEEL_MB * 2**20


def _fresh_venv(folder: Path, wheel: Path) -> Path:
    """A venv of this interpreter without pip, the wheel installed into it, and this
    environment's site-packages appended for the dependencies (torch, ...). Appended by a
    .pth path line, its own .pth files (the editable install of the checkout) are not run."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    here = sysconfig.get_paths()["purelib"]
    there = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                            "['purelib'])"], capture_output=True, text=True, check=True)
    Path(there.stdout.strip(), "dependencies.pth").write_text(here + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                           "--no-deps", "--no-index", "-q", str(wheel)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return folder


@pytest.mark.package
def test_installed_wheel_works_away_from_the_checkout(wheel, tmp_path):
    venv = _fresh_venv(tmp_path / "venv", wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(HOME=str(tmp_path / "home"), GANFORGE_NO_DOWNLOAD="1")

    def run(*args: str) -> str:
        done = subprocess.run(args, cwd=elsewhere, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"{args}: {done.stderr[-2000:]}"
        return done.stdout

    where = run(str(venv / "bin" / "python"), "-c", "import ganforge, sys; "
                "print(ganforge.__file__); print(any('src' in p.split('/') for p in sys.path))")
    assert where.split()[0].startswith(str(venv)) and where.split()[1] == "False"
    assert "best-fashion" in run(str(venv / "bin" / "ganforge"), "pretrained", "list")
    run(str(venv / "bin" / "ganforge"), "sample", "--pretrained", "best-fashion", "-n", "4",
        "--out", "grid.png")
    assert (elsewhere / "grid.png").stat().st_size > 100


def test_warnings_of_ganforge_and_its_tests_are_errors():
    """pyproject's filterwarnings, as pytest applies them inside every test."""
    import warnings

    for module in ("ganforge.sampling.generator", "tests.test_cli"):
        with pytest.raises(DeprecationWarning):
            warnings.warn_explicit("old", DeprecationWarning, f"{module}.py", 1, module=module)
    with warnings.catch_warnings(record=True) as caught:  # a third-party one stays a warning
        warnings.warn_explicit("theirs", UserWarning, "torch/x.py", 1, module="torch.x")
    assert len(caught) == 1
