"""The command line as a user runs it: real subprocesses, exit codes and one-line errors."""

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image


def ganforge(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "ganforge", *map(str, args)],
                          capture_output=True, text=True, env={**os.environ, **(env or {})},
                          cwd=cwd, timeout=300)


def _one_line_error(result, fragment):
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None:
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    out = tmp_path_factory.mktemp("cli") / "run"
    result = ganforge("train", "--preset", "mlp-fashion", "--limit", "256", "--batch-size", "64",
                      "--epochs", "2", "--g-hidden", "32,64", "--d-hidden", "64,32",
                      "--d-steps", "2", "--noise", "uniform", "--loss", "minimax",
                      "--eval-every", "0", "--out", out, "--no-progress",
                      env={"GANFORGE_DATA": str(REAL_DATA_ROOT)})
    assert result.returncode == 0, result.stderr
    return out, result


def test_train_prints_epochs_the_spec_way(cli_run):
    out, result = cli_run
    assert "Epoch [1/2], Train G Loss: " in result.stdout
    assert "Epoch [2/2]" in result.stdout
    config = (out / "config.toml").read_text()
    for line in ('dataset = "fashion-mnist"', "d_steps = 2", 'noise = "uniform"',
                 'loss = "minimax"', "limit = 256"):
        assert line in config


def test_sample_formats(cli_run, tmp_path):
    out, _ = cli_run
    r = ganforge("sample", out, "-n", 16, "--out", tmp_path / "grid.png", "--seed", 1)
    assert r.returncode == 0, r.stderr
    with Image.open(tmp_path / "grid.png") as grid:
        assert grid.size == (122, 122)  # 4x4 grid of 28 + padding
    for name in ("a.npz", "b.npz"):
        assert ganforge("sample", out, "-n", 5, "--format", "npz", "--out", tmp_path / name,
                        "--seed", 7).returncode == 0
    a = np.load(tmp_path / "a.npz")["images"]
    assert a.shape == (5, 28, 28) and a.dtype == np.uint8
    assert np.array_equal(a, np.load(tmp_path / "b.npz")["images"])
    assert ganforge("sample", out, "-n", 3, "--format", "png-dir",
                    "--out", tmp_path / "pngs").returncode == 0
    assert len(list((tmp_path / "pngs").glob("*.png"))) == 3


def test_data_list_and_check(real_data_root):
    listing = ganforge("data", "list")
    assert listing.returncode == 0
    assert "mnist" in listing.stdout and str(real_data_root) in listing.stdout
    check = ganforge("data", "check", "mnist")
    assert check.returncode == 0, check.stderr
    assert check.stdout.count("sha256 ok") == 4
    lines = listing.stdout.split("\n\n")[0].splitlines()  # the table (prepared folders after)
    width = len("fashion-mnist-captions")  # the longest name sets the first column's width
    assert all(line[width + 1:width + 8].strip().isdigit() for line in lines[1:]), lines
    assert any(line.startswith("fashion-mnist-captions ") for line in lines)


@pytest.mark.parametrize("name, base", [
    ("stacked-mnist", "mnist"), ("fashion-mnist-captions", "fashion-mnist")])
def test_data_check_of_a_set_built_from_another_checks_that_one(real_data_root, name, base):
    check = ganforge("data", "check", name)
    assert check.returncode == 0, check.stderr
    assert check.stdout.count("sha256 ok") == 4
    assert f"{real_data_root / base}/train-images" in check.stdout


def test_missing_data_set_is_one_clear_line(tmp_path, no_data):
    r = ganforge("train", "--preset", "dcgan-mnist", "--out", tmp_path / "x")
    _one_line_error(r, "data set 'mnist' not found; looked in:")
    assert str(no_data) in r.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("args, fragment", [
    (["train", "--preset", "nope"], "unknown preset 'nope'"),
    (["train", "--preset", "dcgan-mnist", "--epochs", "ten"], "--epochs: cannot read 'ten'"),
    (["train", "--bogus-flag", "1"], "unrecognized arguments: --bogus-flag"),
    (["sample", "/nonexistent/run", "--out", "x.png"], "no such run folder or checkpoint"),
    (["data", "check", "cifar"], "unknown data set 'cifar'"),
    (["train", "--preset", "t2i-fashion", "--text-dim", "5"],
     "unrecognized arguments: --text-dim"),  # the encoder sets it
])
def test_bad_input_is_one_line_and_exit_2(args, fragment):
    _one_line_error(ganforge(*args), fragment)


def test_bad_config_file_names_file_and_key(tmp_path):
    path = tmp_path / "my.toml"
    path.write_text("[train]\nepoch = 3\n")
    _one_line_error(ganforge("train", "--config", path), f"{path} [train]: unknown key 'epoch'")


def test_a_file_name_too_long_for_the_system_is_one_line(tmp_path):
    long = "a" * 300
    _one_line_error(ganforge("report", tmp_path / long), "file name too long (a part of 300")
    _one_line_error(ganforge("evaluate", "--samples", tmp_path / f"{long}.npz", "--dataset",
                             "mnist"), "file name too long")


def test_a_300_character_export_name_is_one_line(tmp_path):
    _one_line_error(ganforge("pretrained", "export", tmp_path, "a" * 300, "--dir", tmp_path),
                    "is 300 characters long; a name has at most 64")
    assert list(tmp_path.iterdir()) == []
