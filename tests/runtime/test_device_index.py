"""Which GPU a process works on: --device cuda:N makes card N the current device (torch's
calls without a device then act on it), and under torchrun each rank takes the GPU of its
LOCAL_RANK and joins with NCCL (gloo on the CPU, as before). CUDA's calls are faked here."""

import pytest
import torch
import torch.distributed as dist

from ganforge.errors import ConfigError
from ganforge.runtime import distributed
from ganforge.runtime.device import resolve_device
from ganforge.training.run import collective_device


@pytest.fixture
def two_gpus(monkeypatch):
    """A machine with two CUDA devices, as far as ganforge asks; set_device recorded."""
    current = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "set_device", current.append)
    return current


@pytest.fixture
def torchrun_rank_one(monkeypatch):
    """The environment torchrun gives the second of two processes."""
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("LOCAL_RANK", "1")


def test_an_indexed_cuda_device_becomes_the_current_one(two_gpus):
    assert resolve_device("cuda:1") == torch.device("cuda", 1)
    assert two_gpus == [torch.device("cuda", 1)]
    assert resolve_device("cuda") == torch.device("cuda")  # the current one, left as it is
    assert resolve_device("cpu") == torch.device("cpu")
    assert two_gpus == [torch.device("cuda", 1)]
    with pytest.raises(ConfigError, match="only 2 CUDA devices"):
        resolve_device("cuda:2")


def test_under_torchrun_each_rank_takes_the_gpu_of_its_local_rank(two_gpus, torchrun_rank_one):
    assert distributed.rank_device(torch.device("cuda")) == torch.device("cuda", 1)
    assert two_gpus == [torch.device("cuda", 1)]
    assert distributed.rank_device(torch.device("cpu")) == torch.device("cpu")
    with pytest.raises(ConfigError, match="uses the GPU of its LOCAL_RANK; use --device cuda"):
        distributed.rank_device(torch.device("cuda", 0))


def test_a_local_rank_beyond_the_gpus_is_one_line(two_gpus, torchrun_rank_one, monkeypatch):
    monkeypatch.setenv("LOCAL_RANK", "2")
    with pytest.raises(ConfigError, match="LOCAL_RANK 2: only 2 CUDA devices"):
        distributed.rank_device(torch.device("cuda"))
    assert two_gpus == []


@pytest.mark.parametrize("device, backend", [(torch.device("cuda", 1), "nccl"),
                                             (torch.device("cpu"), "gloo")])
def test_the_process_group_joins_with_the_devices_backend(monkeypatch, torchrun_rank_one,
                                                          device, backend):
    joined = []
    monkeypatch.setattr(dist, "is_initialized", lambda: False)
    monkeypatch.setattr(dist, "init_process_group", lambda backend: joined.append(backend))
    monkeypatch.setattr(dist, "get_rank", lambda: 1)
    monkeypatch.setattr(dist, "get_world_size", lambda: 2)
    ctx = distributed.init_from_env(device)
    assert joined == [backend]
    assert (ctx.rank, ctx.world_size, ctx.local_rank, ctx.device) == (1, 2, 1, device)


def test_a_run_on_cuda_picks_its_rank_device_before_anything_is_placed(two_gpus,
                                                                       torchrun_rank_one):
    from ganforge.config import resolve_config

    config = resolve_config("mlp-mnist", overrides={"device": "cuda"})
    assert collective_device(config) == torch.device("cuda", 1)
    assert two_gpus == [torch.device("cuda", 1)]
    cpu = resolve_config("mlp-mnist", overrides={"device": "cpu"})
    assert collective_device(cpu) == torch.device("cpu")


def test_alone_the_collective_device_is_the_cpu_and_nothing_is_set(two_gpus, monkeypatch):
    from ganforge.config import resolve_config

    monkeypatch.delenv("WORLD_SIZE", raising=False)
    config = resolve_config("mlp-mnist", overrides={"device": "cuda"})
    assert collective_device(config) == torch.device("cpu") and two_gpus == []
    assert distributed.DistContext().device == torch.device("cpu")  # gloo's tensors
