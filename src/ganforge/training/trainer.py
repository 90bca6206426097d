"""One trainer for every model: an update schedule of discriminator and generator steps.

The schedule is data: each phase runs after every `interval`-th batch. With k = d_steps,
D updates on every batch and G once every k batches (k D-steps per G-step). What the
losses compare is the objective's business (see objectives.py); the trainer only updates.
After each update it runs the post-step hooks it was given (e.g. weight clipping of D) and
moves the EMA of G's weights when there is one (see ema.py); `sampler` is the generator to
draw samples from (the EMA copy when there is one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from ganforge.runs.checkpoint import flatten_optimizer, sub_state, unflatten_optimizer
from ganforge.runtime.device import Precision
from ganforge.training.batch import Batch
from ganforge.training.ema import EMA


class Divergence(Exception):
    """A loss became NaN or Inf; the loop adds the step and the last good checkpoint."""

    def __init__(self, network: str, value: float):
        super().__init__(f"{network} loss is {value}")
        self.network, self.value = network, value


@dataclass(frozen=True)
class Phase:
    network: str  # "discriminator" or "generator"
    interval: int  # run after every `interval`-th batch


def default_schedule(d_steps: int) -> list[Phase]:
    return [Phase("discriminator", 1), Phase("generator", d_steps)]


def preferred_memory_format(module: nn.Module) -> torch.memory_format:
    """channels_last for convolutional networks (faster on CPU, same math), else the default."""
    has_conv = any(isinstance(m, nn.modules.conv._ConvNd) for m in module.modules())
    return torch.channels_last if has_conv else torch.contiguous_format


class Trainer:
    """Holds built networks, optimizers and an objective; turns batches into updates."""

    def __init__(
        self,
        *,
        generator: nn.Module,
        discriminator: nn.Module,
        opt_g: torch.optim.Optimizer,
        opt_d: torch.optim.Optimizer,
        objective: Any,
        schedule: list[Phase] | None = None,
        on_nan: str = "stop",
        d_hooks: Sequence[Callable[[nn.Module], None]] = (),
        ema: float = 0.0,
        precision: Precision | None = None,
    ):
        self.generator, self.discriminator = generator, discriminator
        # The networks the steps run through: the same ones, or their DDP wrappers (distribute)
        self.g_train, self.d_train = generator, discriminator
        self.opt_g, self.opt_d = opt_g, opt_d
        self.objective = objective
        self.on_nan = on_nan  # "stop": raise Divergence; "skip": drop that update
        # False: under "stop", a NaN/Inf loss is found by the loop when it next reads the
        # step statistics (TrainingLoop.flush), not by a host sync in every step (GPUs)
        self.sync_checks = True
        self.skipped = 0
        self.schedule = schedule or default_schedule(1)
        self._steps = {"discriminator": self.d_step, "generator": self.g_step}
        self._last_d: tuple[torch.Tensor, ...] | None = None
        self.memory_format = preferred_memory_format(discriminator)
        generator.to(memory_format=self.memory_format)
        discriminator.to(memory_format=self.memory_format)
        self.d_hooks = list(d_hooks)  # run on D after each D update (e.g. weight clipping)
        self.batch_hooks: list[Callable[[], None]] = []  # run before each batch (lr schedule)
        self.ema = EMA(generator, ema) if ema else None  # averaged G, moved after each G update
        self.precision = precision or Precision()  # forward passes under autocast unless fp32
        self.precision.float_outputs(discriminator)  # logits, hence losses, in float32

    def d_step(self, batch: Batch) -> None:
        """One discriminator update."""
        with self.precision.autocast():
            result = self.objective.discriminator_loss(self.g_train, self.d_train, batch)
        self.opt_d.zero_grad(set_to_none=True)
        if self._finite(result.loss, "discriminator"):
            self.precision.backward_step(result.loss, self.opt_d)
            for hook in self.d_hooks:
                hook(self.discriminator)
        self._last_d = (result.loss.detach(), result.d_real, result.d_fake)

    def g_step(self, batch: Batch) -> torch.Tensor:
        """One generator update with D frozen; returns G's loss (a tensor, no host sync)."""
        self.discriminator.requires_grad_(False)
        try:
            # D frozen and called unwrapped: it is not updated here, so nothing to synchronise
            with self.precision.autocast():
                loss = self.objective.generator_loss(self.g_train, self.discriminator, batch)
            self.opt_g.zero_grad(set_to_none=True)
            if self._finite(loss, "generator"):
                self.precision.backward_step(loss, self.opt_g)
                if self.ema is not None:
                    self.ema.update(self.generator)
        finally:
            self.discriminator.requires_grad_(True)
        return loss.detach()

    @property
    def sampler(self) -> nn.Module:
        """The generator to draw samples from: the EMA copy when there is one."""
        return self.ema.module if self.ema is not None else self.generator

    def _finite(self, loss: torch.Tensor, network: str) -> bool:
        """False (update skipped) or Divergence (run stopped) for a NaN/Inf loss; True
        without looking when the loop checks the statistics instead (sync_checks False)."""
        if (not self.sync_checks and self.on_nan == "stop") or bool(torch.isfinite(loss)):
            return True
        if self.on_nan == "skip":
            self.skipped += 1
            return False
        raise Divergence(network, float(loss.detach()))

    def train_batch(self, batch_index: int, batch: Batch) -> torch.Tensor | None:
        """Run the phases due at this batch. After a G step, return the step's statistics
        as one tensor [d_loss, g_loss, D(x), D(G(z))]; otherwise None."""
        batch.images = batch.images.contiguous(memory_format=self.memory_format)
        for hook in self.batch_hooks:
            hook()
        g_loss = None
        for phase in self.schedule:
            if (batch_index + 1) % phase.interval == 0:
                result = self._steps[phase.network](batch)
                if phase.network == "generator":
                    g_loss = result
        if g_loss is None or self._last_d is None:
            return None
        d_loss, d_real, d_fake = self._last_d
        return torch.stack([d_loss, g_loss, d_real, d_fake])

    def distribute(self, ctx, device: torch.device, sync_bn: bool = False) -> None:
        """Run the steps through DistributedDataParallel wrappers (see distributed.py)."""
        from ganforge.runtime.distributed import wrap

        self.g_train = wrap(self.generator, ctx, device, sync_bn)
        self.d_train = wrap(self.discriminator, ctx, device, sync_bn)
        if self.g_train is not self.generator:  # SyncBatchNorm conversion makes new modules
            self.generator = self.g_train.module
            self.discriminator = self.d_train.module

    def state_dict(self) -> dict[str, Any]:
        """What a checkpoint keeps of the trainer: {"tensors": networks (G, D, the EMA copy
        as `generator_ema.*`) and optimizer states, "meta": their JSON side}."""
        opt_g, groups_g = flatten_optimizer("opt_g", self.opt_g)
        opt_d, groups_d = flatten_optimizer("opt_d", self.opt_d)
        tensors = {
            **{f"generator.{k}": v for k, v in self.generator.state_dict().items()},
            **{f"discriminator.{k}": v for k, v in self.discriminator.state_dict().items()},
        }
        meta: dict[str, Any] = {"opt_g_groups": groups_g, "opt_d_groups": groups_d}
        scalers = self.precision.scaler_states(self._optimizers())  # fp16 only
        if scalers:
            meta["scalers"] = scalers
        if self.ema is not None:
            tensors.update({f"generator_ema.{k}": v
                            for k, v in self.ema.module.state_dict().items()})
            meta["ema_updates"] = self.ema.updates
        return {"tensors": {**tensors, **opt_g, **opt_d}, "meta": meta}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """The inverse of state_dict (KeyError, ValueError or RuntimeError when it does not
        fit these networks)."""
        tensors, meta = state["tensors"], state["meta"]
        self.generator.load_state_dict(sub_state(tensors, "generator"))
        self.discriminator.load_state_dict(sub_state(tensors, "discriminator"))
        if self.ema is not None:
            self.ema.module.load_state_dict(sub_state(tensors, "generator_ema"))
            self.ema.updates = int(meta["ema_updates"])
        self.opt_g.load_state_dict(unflatten_optimizer("opt_g", tensors, meta["opt_g_groups"]))
        self.opt_d.load_state_dict(unflatten_optimizer("opt_d", tensors, meta["opt_d_groups"]))
        _match_layouts(self.opt_g)
        _match_layouts(self.opt_d)
        self.precision.load_scaler_states(self._optimizers(), meta.get("scalers", {}))

    def _optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"opt_g": self.opt_g, "opt_d": self.opt_d}

    def nonfinite_network(self) -> str | None:
        """"generator" or "discriminator" when its weights hold NaN or Inf, else None."""
        for network, module in (("generator", self.generator),
                                ("discriminator", self.discriminator)):
            if not all(bool(torch.isfinite(p).all()) for p in module.parameters()):
                return network
        return None

    def train_mode(self, flag: bool = True) -> None:
        self.generator.train(flag)
        self.discriminator.train(flag)


def _match_layouts(optimizer: torch.optim.Optimizer) -> None:
    """Give each optimizer state tensor its parameter's memory layout. Checkpoints store
    tensors contiguous; a channels_last conv weight with a contiguous Adam moment would be
    paired element by element in the wrong order by the fused kernel (a resumed conv model
    then drifts from the uninterrupted run)."""
    for param, state in optimizer.state.items():
        for key, value in state.items():
            if torch.is_tensor(value) and value.shape == param.shape \
                    and value.stride() != param.stride():
                state[key] = torch.empty_like(param, dtype=value.dtype).copy_(value)
