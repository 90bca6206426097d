"""Device choice, reduced precision, threads and compile."""

import os
import shutil
import subprocess
import sys

import pytest
import torch

from ganforge.config import resolve_config
from ganforge.errors import ConfigError
from ganforge.runtime.device import (
    Precision,
    auto_threads,
    make_precision,
    resolve_device,
    set_threads,
)
from ganforge.training.batch import BatchSource
from ganforge.training.run import build_trainer

NO_GPU = not torch.cuda.is_available() and not torch.backends.mps.is_available()
TINY = {"g_hidden": "16", "d_hidden": "16"}


def _trainer(**overrides):
    return build_trainer(resolve_config("mlp-mnist", overrides={**TINY, **overrides}))


@pytest.mark.skipif(not NO_GPU, reason="a GPU is present: auto picks it")
def test_auto_device_is_cpu_without_a_gpu():
    assert resolve_device("auto") == torch.device("cpu")
    assert resolve_config("mlp-mnist").train.device == "auto"
    trainer = _trainer()
    assert {p.device.type for p in trainer.generator.parameters()} == {"cpu"}


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is present")
def test_missing_or_unknown_devices_are_one_line_errors():
    with pytest.raises(ConfigError, match="--device cuda: no CUDA device"):
        resolve_device("cuda")
    with pytest.raises(ConfigError, match="device must be auto, cpu, cuda, cuda:N or mps"):
        resolve_config("mlp-mnist", overrides={"device": "gpu"})
    with pytest.raises(ConfigError, match="--precision fp16 needs a CUDA device"):
        make_precision("fp16", torch.device("cpu"))
    with pytest.raises(ConfigError, match="threads must be 0"):
        resolve_config("mlp-mnist", overrides={"threads": "-1"})


def test_threads_zero_means_one_per_core_and_a_count_is_kept():
    before = torch.get_num_threads()
    try:
        assert set_threads(1) == 1 and torch.get_num_threads() == 1
        assert set_threads(0) == auto_threads() == torch.get_num_threads()
    finally:
        torch.set_num_threads(before)


def test_bf16_runs_the_forward_passes_in_bf16_and_the_loss_in_float32():
    trainer = _trainer(precision="bf16")
    assert trainer.precision.name == "bf16"
    x = torch.rand(4, 1, 28, 28)
    with trainer.precision.autocast():
        hidden = trainer.discriminator.net[0](x.flatten(1))
        logits = trainer.discriminator(x)
    assert hidden.dtype == torch.bfloat16
    assert logits.dtype == torch.float32
    with Precision().autocast():  # fp32: no autocast at all
        assert trainer.discriminator.net[0](x.flatten(1)).dtype == torch.float32


def test_bf16_training_trains_and_stays_finite(real_data_root):
    from ganforge.data import load_dataset

    data = load_dataset("mnist", "train", limit=128)
    threads = torch.get_num_threads()
    try:  # one thread: quick on a busy machine too
        trainer = build_trainer(resolve_config("dcgan-mnist", overrides={
            "precision": "bf16", "threads": "1"}))
        source = BatchSource(data.images)
        before = [p.detach().clone() for p in trainer.generator.parameters()]
        stats = [trainer.train_batch(i, source.batch(torch.arange(i * 16, i * 16 + 16)))
                 for i in range(6)]
    finally:
        torch.set_num_threads(threads)
    for row in torch.stack(stats).tolist():
        d_loss, g_loss, d_real, d_fake = row
        assert 0 < d_loss < 20 and 0 < g_loss < 20 and 0 < d_real < 1 and 0 < d_fake < 1
    after = list(trainer.generator.parameters())
    assert all(p.dtype == torch.float32 and bool(torch.isfinite(p).all()) for p in after)
    assert all(not torch.equal(a, b) for a, b in zip(before, after, strict=True))
    assert stats[-1].dtype == torch.float32


def test_compile_builds_in_place_or_fails_clearly(monkeypatch):
    plain = _trainer()
    trainer = _trainer(compile="true")
    assert trainer.generator._compiled_call_impl is not None  # compiled on first call
    assert trainer.generator.state_dict().keys() == plain.generator.state_dict().keys()
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ConfigError, match="--compile on CPU needs a C\\+\\+ compiler"):
        _trainer(compile="true")


def test_compile_imports_no_deprecated_torch_code_into_view():
    """torch._dynamo's import of torch.utils.mkldnn (torch.jit.script_method) stays silent:
    a fresh interpreter with every DeprecationWarning an error compiles a network."""
    code = ("import torch; from ganforge.runtime.device import compile_networks; "
            "compile_networks(torch.device('cpu'), torch.nn.Linear(2, 2)); print('compiled')")
    env = {**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0 and "compiled" in done.stdout, done.stderr[-2000:]


@pytest.mark.parametrize("name, device, flags, warned", [
    ("bf16", "cpu", {"avx", "avx2", "avx512f"}, True),  # emulated: slower than fp32
    ("bf16", "cpu", {"avx", "avx512f", "avx512_bf16"}, False),
    ("bf16", "cpu", {"avx", "amx_bf16"}, False),
    ("fp32", "cpu", {"avx"}, False),
    ("bf16", "cpu", set(), False),  # flags unknown (not Linux): say nothing
    ("bf16", "cpu", {"fp", "asimd"}, False),  # not x86
])
def test_bf16_on_a_cpu_without_bf16_instructions_is_warned_about(name, device, flags, warned):
    from ganforge.runtime.device import precision_note

    note = precision_note(name, torch.device(device), flags)
    assert (note is not None) == warned
    if warned:
        assert "no bfloat16 instructions" in note
