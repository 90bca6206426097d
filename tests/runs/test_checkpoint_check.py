"""A checkpoint is checked before anything is built from it or read through it: its config,
its tensor file (a plain file beside it) and every tensor shape in the safetensors header."""

import json
import os
import subprocess
import sys
import threading

import pytest

from ganforge.config import resolve_config
from ganforge.errors import CheckpointError
from ganforge.models import build_models
from ganforge.runs.checkpoint import read_checkpoint, write_checkpoint

SIZES = {"g_hidden": "16", "d_hidden": "16"}


def tiny_checkpoint(folder, name="step_0000001"):
    """A generator + discriminator checkpoint of a tiny MLP (no data set, no training)."""
    config = resolve_config("mlp-mnist", overrides=SIZES)
    g, d = build_models(config.model)
    tensors = {**{f"generator.{k}": v for k, v in g.state_dict().items()},
               **{f"discriminator.{k}": v for k, v in d.state_dict().items()}}
    folder.mkdir(parents=True, exist_ok=True)
    return write_checkpoint(folder, name, tensors, {"step": 1, "config": config.to_dict()})


def tamper(path, **fields):
    record = json.loads(path.read_text())
    for key, value in fields.items():
        if key in ("g_hidden", "image_size", "latent_dim"):
            record["config"]["model"][key] = value
        else:
            record[key] = value
    path.write_text(json.dumps(record))
    return path


def finishes(call, seconds=20):
    """Run `call` in a thread; its exception (or None) when it ends within `seconds`."""
    outcome = {}

    def target():
        try:
            call()
            outcome["error"] = None
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    return outcome["error"]


def test_an_intact_checkpoint_reads(tmp_path):
    meta, tensors = read_checkpoint(tiny_checkpoint(tmp_path))
    assert meta["step"] == 1 and tensors["generator.net.0.weight"].shape == (16, 100)


def test_header_is_read_alone(tmp_path):
    from ganforge.runs.checkpoint_check import read_header

    path = tiny_checkpoint(tmp_path).with_suffix(".safetensors")
    assert read_header(path)["generator.net.0.weight"] == (16, 100)
    path.write_bytes((10**12).to_bytes(8, "little") + b"{}")
    with pytest.raises(CheckpointError, match="header size"):
        read_header(path)


@pytest.mark.parametrize("value", ["/etc/passwd", "../other/step_0000001.safetensors", 123,
                                   None, ".", "", "/dev/zero", "sub/x.safetensors"])
def test_tensors_field_must_name_a_file_beside_the_record(tmp_path, value):
    path = tamper(tiny_checkpoint(tmp_path / "run"), tensors=value)
    error = finishes(lambda: read_checkpoint(path))
    assert isinstance(error, CheckpointError) and "'tensors'" in str(error)


def test_tensors_field_naming_a_fifo_or_a_link_out(tmp_path):
    other = tiny_checkpoint(tmp_path / "other").with_suffix(".safetensors")
    path = tiny_checkpoint(tmp_path / "run")
    os.symlink(other, path.parent / "link.safetensors")
    os.mkfifo(path.parent / "pipe.safetensors")
    for name, fragment in (("link.safetensors", "leads out of"),
                           ("pipe.safetensors", "not a regular file")):
        error = finishes(lambda name=name: read_checkpoint(tamper(path, tensors=name)))
        assert isinstance(error, CheckpointError) and fragment in str(error)


@pytest.mark.parametrize("fields, fragment", [
    ({"g_hidden": [32]}, r"has shape \[16\], the config implies \[32\]"),
    ({"g_hidden": [16, 16]}, r"net.2.bias. has shape \[784\], the config implies \[16\]"),
    ({"latent_dim": -3}, "config not usable|describes no buildable model"),
    ({"g_hidden": [-5]}, "config not usable|describes no buildable model"),
    ({"g_hidden": "wide"}, "checkpoint config not usable"),
    ({"step": -100}, "'step' must be"),
    ({"step": "abc"}, "'step' must be"),
    ({"config": 5}, "holds no config"),
])
def test_config_and_shapes_are_checked_first(tmp_path, fields, fragment):
    path = tamper(tiny_checkpoint(tmp_path), **fields)
    with pytest.raises(CheckpointError, match=fragment) as caught:
        read_checkpoint(path)
    assert "\n" not in str(caught.value)


def test_nested_json_and_bad_utf8_records(tmp_path):
    path = tiny_checkpoint(tmp_path)
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(CheckpointError, match="nested too deep|not valid JSON"):
        read_checkpoint(path)
    path.write_bytes(b'{"format": "\xff"}')
    with pytest.raises(CheckpointError, match="not valid JSON"):
        read_checkpoint(path)


def _peak_rss_mb(args):
    """Exit code, stderr and peak RSS (MB) of `ganforge ARGS` in a child process."""
    child = subprocess.Popen([sys.executable, "-m", "ganforge", *map(str, args)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with child.stderr:
        stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, stderr, usage.ru_maxrss / 1024


@pytest.mark.parametrize("fields", [{"g_hidden": [30000, 30000]},
                                    {"g_hidden": [1000000, 1000000]},
                                    {"image_size": 100000}])
def test_huge_configs_fail_fast_without_allocating(tmp_path, fields):
    path = tamper(tiny_checkpoint(tmp_path), **fields)
    code, stderr, peak = _peak_rss_mb(["sample", path, "--out", tmp_path / "g.png"])
    assert code == 2 and len(stderr.strip().splitlines()) == 1, stderr
    assert "Traceback" not in stderr and str(path) in stderr
    assert peak < 1024, f"peak RSS {peak:.0f} MB"


def test_a_network_the_file_holds_must_be_whole(tmp_path):
    config = resolve_config("mlp-mnist", overrides=SIZES)
    g, _ = build_models(config.model)
    weights = {f"generator_ema.{k}": v for k, v in g.state_dict().items()}
    meta = {"step": 1, "config": config.to_dict()}
    read_checkpoint(write_checkpoint(tmp_path, "ema", weights, meta))  # EMA alone is enough
    del weights["generator_ema.net.0.bias"]
    with pytest.raises(CheckpointError, match="tensor generator_ema.net.0.bias is missing"):
        read_checkpoint(write_checkpoint(tmp_path, "cut", weights, meta))
    with pytest.raises(CheckpointError, match="holds no generator weights"):
        read_checkpoint(write_checkpoint(tmp_path, "none", {"fixed_noise": g.net[0].bias},
                                         meta))
