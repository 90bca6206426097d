"""Resuming a run on a GPU: the CUDA generator's state is kept and put back (noise and
dropout masks made on the device are drawn from it), the fixed grid's noise and captions go
back to the generator's device, and captured (CUDA graph) steps are marked in every mode
that captures. CPU tests fake the CUDA calls; tests named `..._cuda` need a CUDA device
(benchmarks/gpu_check.py runs them)."""

import pytest
import torch

from ganforge.config import resolve_config
from ganforge.data.dataset import ImageData
from ganforge.errors import CheckpointError
from ganforge.runs.checkpoint import read_checkpoint
from ganforge.runs.folder import RunFolder
from ganforge.runtime.device import begin_captured_step, captures_cuda_graphs
from ganforge.training import loop_checkpoint
from ganforge.training import run as run_module
from ganforge.training.loop import TrainingLoop
from ganforge.training.resume_record import check_resume_record
from ganforge.training.rng import global_rng_state, set_global_rng_state
from ganforge.training.run import build_trainer, fit_to_data, prepare
from ganforge.training.state import restore_state

NEEDS_CUDA = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason="needs a CUDA device (none here)")
TINY = {"g_hidden": "16", "d_hidden": "16", "batch_size": "8", "threads": "1",
        "max_steps": "2", "eval_every": "0"}
CUDA_STATE = torch.arange(16, dtype=torch.uint8)  # what the faked CUDA generator holds


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.fixture
def fake_cuda_rng(monkeypatch):
    """torch.cuda's generator calls, recorded: ("get", device) and ("set", device, state)."""
    calls = []

    def get(device):
        calls.append(("get", device))
        return CUDA_STATE

    def put(state, device):
        calls.append(("set", device, state))

    monkeypatch.setattr(torch.cuda, "get_rng_state", get)
    monkeypatch.setattr(torch.cuda, "set_rng_state", put)
    return calls


def _loop(run, device: str = "cpu", create: bool = True) -> TrainingLoop:
    """A tiny MLP run on made-up images in `run` (a fresh folder, or the existing one)."""
    g = torch.Generator().manual_seed(0)
    data = ImageData(torch.randint(0, 256, (32, 1, 28, 28), dtype=torch.uint8, generator=g),
                     torch.randint(0, 4, (32,), generator=g), ("a", "b", "c", "d"), "random")
    config = fit_to_data(resolve_config("mlp-mnist", overrides={**TINY, "device": device}),
                         1, 28)
    loop = prepare(config, data, RunFolder(run), False, ())
    if create:
        loop.folder = RunFolder.create(run, config, force=True)
    return loop


def test_the_cuda_state_is_kept_and_put_back_only_on_cuda(fake_cuda_rng):
    cpu, cuda = torch.device("cpu"), torch.device("cuda", 1)
    assert "rng.cuda" not in global_rng_state()["tensors"]
    assert "rng.cuda" not in global_rng_state(cpu)["tensors"] and fake_cuda_rng == []
    on_cuda = global_rng_state(cuda)
    assert on_cuda["tensors"]["rng.cuda"] is CUDA_STATE and fake_cuda_rng == [("get", cuda)]
    set_global_rng_state(on_cuda, cpu)  # a GPU run's checkpoint resumed on CPU: not used
    assert len(fake_cuda_rng) == 1
    set_global_rng_state(global_rng_state(cpu), cuda)  # a CPU checkpoint on CUDA: the seed's
    assert len(fake_cuda_rng) == 1
    set_global_rng_state(on_cuda, cuda)
    assert fake_cuda_rng[-1] == ("set", cuda, CUDA_STATE)


def test_a_cuda_loop_keeps_its_stream_and_puts_the_grid_inputs_on_its_device(
        tmp_path, monkeypatch, fake_cuda_rng):
    loop = _loop(tmp_path / "run")
    assert loop.device == next(loop.trainer.generator.parameters()).device
    cuda, moved = torch.device("cuda", 1), []
    monkeypatch.setattr(TrainingLoop, "device", property(lambda self: cuda))
    monkeypatch.setattr(loop_checkpoint, "to_device",
                        lambda tensor, device: moved.append((tensor, device)) or tensor)
    state = loop.state_dict()
    assert state["tensors"]["rng.cuda"] is CUDA_STATE
    state["tensors"]["fixed_text"] = torch.ones(25, 4)  # as a text run's checkpoint has
    state["meta"]["fixed_captions"] = ["a caption"] * 25
    loop.load_state_dict(state)
    assert fake_cuda_rng == [("get", cuda), ("set", cuda, CUDA_STATE)]
    assert [device for _, device in moved] == [cuda, cuda]
    assert moved[0][0] is state["tensors"]["fixed_noise"]
    assert moved[1][0] is state["tensors"]["fixed_text"]


def test_the_resume_record_takes_a_cuda_state_or_none(tmp_path):
    path = _loop(tmp_path / "run").save_checkpoint()
    meta, tensors = read_checkpoint(path)
    assert "rng.cuda" not in tensors  # a CPU run's checkpoint
    check_resume_record(meta, tensors, path, 0)
    check_resume_record(meta, {**tensors, "rng.cuda": CUDA_STATE}, path, 0)
    with pytest.raises(CheckpointError, match="rng.cuda is not a CUDA generator's state"):
        check_resume_record(meta, {**tensors, "rng.cuda": CUDA_STATE.float()}, path, 0)


@pytest.mark.parametrize("mode", ["default", "reduce-overhead", "max-autotune"])
def test_steps_are_marked_in_every_mode_that_captures_cuda_graphs(monkeypatch, mode):
    """Inductor's reduce-overhead and max-autotune both replay CUDA graphs on CUDA; each
    step must then begin with begin_captured_step. Off CUDA no mode captures."""
    monkeypatch.setattr(run_module, "compile_networks", lambda *networks, mode: None)
    options = {**TINY, "device": "cpu", "compile": "true", "compile_mode": mode}
    on_cpu = build_trainer(resolve_config("mlp-mnist", overrides=options))
    assert begin_captured_step not in on_cpu.batch_hooks
    monkeypatch.setattr(run_module, "place_networks",
                        lambda name, threads, *networks: torch.device("cuda"))
    on_cuda = build_trainer(resolve_config("mlp-mnist", overrides=options))
    assert (begin_captured_step in on_cuda.batch_hooks) is (mode != "default")
    assert captures_cuda_graphs(mode, torch.device("cuda", 1)) is (mode != "default")
    assert captures_cuda_graphs(mode, torch.device("cpu")) is False


@NEEDS_CUDA
def test_a_resumed_cuda_run_continues_its_cuda_stream_and_draws_its_grid_cuda(tmp_path):
    run = tmp_path / "run"
    loop = _loop(run, "cuda")
    loop.run()  # two steps, then the final checkpoint
    expected = torch.randn(8, device="cuda")  # the CUDA stream right after the checkpoint
    path = loop.folder.checkpoints / "final.json"
    meta, tensors = read_checkpoint(path)
    assert tensors["rng.cuda"].dtype == torch.uint8
    resumed = _loop(run, "cuda", create=False)  # seeded again, as a resume is
    restore_state(resumed, meta, tensors, path)
    assert torch.equal(torch.randn(8, device="cuda"), expected)
    assert resumed.fixed_noise.device == resumed.device and resumed.device.type == "cuda"
    assert resumed.save_samples(3).is_file()  # G(fixed noise) on the GPU: no device mismatch
