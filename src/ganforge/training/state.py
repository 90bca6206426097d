"""Snapshot and restore the whole training state through checkpoints.

A checkpoint holds the networks (and the EMA of G's weights, as `generator_ema.*`), both
optimizers, the loop's position (epoch, next batch, the shuffle generator's state at the
epoch's start and now), every random stream (torch, numpy, Python, captions), the fixed
sample noise, and how many metric records existed, so that a resumed run is bit-identical
to one never interrupted.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ganforge import __version__
from ganforge.errors import CheckpointError, DivergenceError
from ganforge.runs.checkpoint import (
    checkpoint_name,
    flatten_optimizer,
    list_checkpoints,
    sub_state,
    unflatten_optimizer,
    write_checkpoint,
)

if TYPE_CHECKING:
    from ganforge.training.loop import TrainingLoop


def _position(loop: TrainingLoop) -> tuple[int, int]:
    """Where a resumed run starts: (epoch, next batch); a finished epoch means the next one."""
    state = loop.state
    if state.batch >= loop.batches_per_epoch:
        return state.epoch + 1, 0
    return state.epoch, state.batch


def _numpy_state() -> list:
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return [name, keys.tolist(), pos, has_gauss, cached]


def check_weights(loop: TrainingLoop) -> None:
    """Refuse to checkpoint NaN/Inf weights: stop with the step and the last good checkpoint."""
    for network in ("generator", "discriminator"):
        module = getattr(loop.trainer, network)
        if not all(bool(torch.isfinite(p).all()) for p in module.parameters()):
            raise DivergenceError(
                f"step {loop.state.step}: the {network}'s weights hold NaN or Inf; training "
                f"stopped; last good checkpoint: {loop.last_good()}")


def save_state(loop: TrainingLoop, name: str | None = None) -> Path:
    check_weights(loop)
    t, state = loop.trainer, loop.state
    opt_g, groups_g = flatten_optimizer("opt_g", t.opt_g)
    opt_d, groups_d = flatten_optimizer("opt_d", t.opt_d)
    tensors = {
        **{f"generator.{k}": v for k, v in t.generator.state_dict().items()},
        **{f"discriminator.{k}": v for k, v in t.discriminator.state_dict().items()},
        **_ema_tensors(t),
        **opt_g, **opt_d,
        "fixed_noise": loop.fixed_noise,
        "rng.torch": torch.get_rng_state(),
        "rng.data": loop.data_generator.get_state(),
        "rng.data_epoch": state.epoch_rng if state.epoch_rng is not None
        else loop.data_generator.get_state(),
        "rng.caption": loop.source.caption_generator.get_state(),
    }
    if loop.fixed_captions is not None:
        tensors["fixed_text"] = loop.fixed_captions.text
    epoch, batch = _position(loop)
    meta = {
        "ganforge_version": __version__,
        "step": state.step, "epoch": loop.last_summary.get("epoch", state.epoch),
        "resume_epoch": epoch, "resume_batch": batch, "epoch_sums": state.sums,
        "records": loop.folder.count_records(), "config": loop.config.to_dict(),
        "summary": loop.last_summary, "opt_g_groups": groups_g, "opt_d_groups": groups_d,
        "rng_python": _jsonable(random.getstate()), "rng_numpy": _numpy_state(),
    }
    if loop.fixed_captions is not None:
        meta["fixed_captions"] = loop.fixed_captions.captions
    if getattr(t, "ema", None) is not None:
        meta["ema_updates"] = t.ema.updates
    path = write_checkpoint(loop.folder.checkpoints, name or checkpoint_name(state.step),
                            tensors, meta)
    if name is None:
        prune(loop.folder.checkpoints.parent, loop.train_cfg.keep)
    return path


def _ema_tensors(trainer: Any) -> dict[str, torch.Tensor]:
    """The EMA generator's state under `generator_ema.` (nothing when EMA is off)."""
    ema = getattr(trainer, "ema", None)
    if ema is None:
        return {}
    return {f"generator_ema.{k}": v for k, v in ema.module.state_dict().items()}


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


def _jsonable(value: Any) -> Any:
    return [_jsonable(v) for v in value] if isinstance(value, (tuple, list)) else value


def _tupled(value: Any) -> Any:
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value


def prune(run_dir: Path, keep: int) -> None:
    """Keep the newest `keep` step checkpoints (best and final are never pruned)."""
    for old in list_checkpoints(run_dir)[:-keep] if keep > 0 else []:
        old.with_suffix(".safetensors").unlink(missing_ok=True)
        old.unlink(missing_ok=True)


def restore_state(loop: TrainingLoop, meta: dict[str, Any], tensors: dict[str, torch.Tensor],
                  source: Path) -> None:
    """Put a loop back exactly where the checkpoint left it."""
    t = loop.trainer
    try:
        t.generator.load_state_dict(sub_state(tensors, "generator"))
        t.discriminator.load_state_dict(sub_state(tensors, "discriminator"))
        if getattr(t, "ema", None) is not None:
            t.ema.module.load_state_dict(sub_state(tensors, "generator_ema"))
            t.ema.updates = int(meta["ema_updates"])
        t.opt_g.load_state_dict(unflatten_optimizer("opt_g", tensors, meta["opt_g_groups"]))
        t.opt_d.load_state_dict(unflatten_optimizer("opt_d", tensors, meta["opt_d_groups"]))
        _match_layouts(t.opt_g)
        _match_layouts(t.opt_d)
        loop.fixed_noise = tensors["fixed_noise"]
        if "fixed_text" in tensors:
            from ganforge.data.captioned.held_out import FixedCaptions

            loop.fixed_captions = FixedCaptions(list(meta["fixed_captions"]), tensors["fixed_text"])
            loop.fixed_cond = loop.fixed_captions.text.to(loop.fixed_noise.device)
        torch.set_rng_state(tensors["rng.torch"])
        loop.data_generator.set_state(tensors["rng.data"])
        loop.source.caption_generator.set_state(tensors["rng.caption"])
        random.setstate(_tupled(meta["rng_python"]))
        name, keys, pos, has_gauss, cached = meta["rng_numpy"]
        np.random.set_state((name, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))
        loop.state.epoch_rng = tensors["rng.data_epoch"]
    except (KeyError, ValueError, RuntimeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CheckpointError(f"{source}: does not fit this run ({first})") from None
    state = loop.state
    state.step, state.epoch, state.batch = meta["step"], meta["resume_epoch"], meta["resume_batch"]
    state.sums = list(meta["epoch_sums"])
    loop.last_summary = meta.get("summary", {})
    loop.folder.truncate_records(meta["records"])
