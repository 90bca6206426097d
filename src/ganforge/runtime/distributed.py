"""Several processes (CPUs, GPUs or machines) through torch.distributed, as torchrun starts them.

Each rank holds the same networks wrapped in DistributedDataParallel, draws a disjoint shard
of every epoch's shuffled order (the order comes from a seed all ranks share), and uses its
own noise stream; gradients are averaged, so all ranks keep identical weights. Rank 0
alone writes the run folder. Backend: nccl on CUDA, each rank on its own GPU
(cuda:LOCAL_RANK, the tensors of every collective there too); gloo on the CPU otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from ganforge.errors import ConfigError, RankError


@dataclass(frozen=True)
class DistContext:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    device: torch.device = torch.device("cpu")  # where the collectives' tensors live

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_writer(self) -> bool:
        return self.rank == 0


def launched_by_torchrun() -> bool:
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def local_rank() -> int:
    return int(os.environ.get("LOCAL_RANK", "0"))


def rank_device(device: torch.device) -> torch.device:
    """This process's device under torchrun, for a run on `device`: on CUDA its own GPU,
    cuda:LOCAL_RANK, made the current device before anything is placed (so that what goes
    to "cuda" lands there, and NCCL finds it); the CPU (gloo) otherwise."""
    if device.type != "cuda":
        return torch.device("cpu")
    if device.index is not None:
        raise ConfigError(f"--device {device}: under torchrun each process uses the GPU of "
                          f"its LOCAL_RANK; use --device cuda")
    if local_rank() >= torch.cuda.device_count():
        raise RankError(f"LOCAL_RANK {local_rank()}: only {torch.cuda.device_count()} CUDA "
                        f"devices on this machine")
    mine = torch.device("cuda", local_rank())
    torch.cuda.set_device(mine)
    return mine


def init_from_env(device: torch.device) -> DistContext:
    """Join the process group torchrun describes in the environment (or run alone), nccl
    when `device` (rank_device's) is a GPU, gloo otherwise."""
    import torch.distributed as dist

    if not launched_by_torchrun():
        return DistContext()
    if not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(backend=backend)
    return DistContext(dist.get_rank(), dist.get_world_size(), local_rank(), device)


def refuse_sync_bn(device: torch.device, *modules: nn.Module) -> None:
    """--sync-bn true on a network with BatchNorm that does not train on CUDA is one line
    (torch synchronises BatchNorm on GPU modules only): refused when the run starts, in one
    process too, so that no run records a setting its torchrun resume could not use."""
    if device.type != "cuda" and any(isinstance(m, nn.modules.batchnorm._BatchNorm)
                                     for module in modules for m in module.modules()):
        raise ConfigError("--sync-bn true needs ranks on CUDA GPUs (torch synchronises "
                          f"BatchNorm on GPU modules only); these train on {device.type}")


def wrap(module: nn.Module, ctx: DistContext, device: torch.device, sync_bn: bool) -> nn.Module:
    """DDP-wrap a network (BatchNorm synchronised across ranks if asked)."""
    from torch.nn.parallel import DistributedDataParallel

    if not ctx.enabled:
        return module
    if sync_bn:
        refuse_sync_bn(device, module)
        module = nn.SyncBatchNorm.convert_sync_batchnorm(module)
    ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=ids)


def unwrap(module: nn.Module) -> nn.Module:
    """The network inside a DDP wrapper (or the network itself)."""
    return getattr(module, "module", module)


def shard(order: torch.Tensor, ctx: DistContext) -> torch.Tensor:
    """This rank's disjoint share of an epoch's order (every world_size-th index)."""
    return order[ctx.rank :: ctx.world_size] if ctx.enabled else order


def any_rank(flag: bool, ctx: DistContext) -> bool:
    """True on every rank if `flag` is true on any (so all ranks stop at the same step)."""
    return any_ranks((flag,), ctx)[0]


def any_ranks(flags: Sequence[bool], ctx: DistContext) -> list[bool]:
    """Each of `flags`, true on every rank if it is true on any: one collective (and one
    host sync) for all of them."""
    import torch.distributed as dist

    if not ctx.enabled:
        return list(flags)
    value = torch.tensor([1.0 if f else 0.0 for f in flags], device=ctx.device)  # NCCL: GPU
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return [bool(v) for v in value.tolist()]


def gather_rng(ctx: DistContext) -> list[torch.Tensor]:
    """Every rank's torch RNG state (all ranks receive all, on the CPU); gathered on the
    context's device (NCCL's tensors must be on the GPU)."""
    import torch.distributed as dist

    state = torch.get_rng_state()
    if not ctx.enabled:
        return [state]
    state = state.to(ctx.device)
    states = [torch.empty_like(state) for _ in range(ctx.world_size)]
    dist.all_gather(states, state)
    return [s.cpu() for s in states]


def shutdown(ctx: DistContext) -> None:
    import torch.distributed as dist

    if ctx.enabled and dist.is_initialized():
        dist.destroy_process_group()
