"""What a checkpoint keeps of a training loop, and putting a loop back from it: the
trainer's state, the loop's position and epoch sums, every random stream, the fixed grid's
noise and captions, the config, the data record and how many records metrics.jsonl holds."""

from __future__ import annotations

from typing import Any

from ganforge import __version__
from ganforge.data.captioned.held_out import FixedCaptions
from ganforge.runtime.device import to_device
from ganforge.training.loop_state import LoopState
from ganforge.training.rng import global_rng_state, set_global_rng_state

# `loop` below is a training.loop.TrainingLoop (which calls these; typed Any to keep the
# import one way).


def loop_state(loop: Any) -> dict[str, Any]:
    """Everything a checkpoint keeps ({"tensors": ..., "meta": ...}): the trainer's state,
    the loop's position and epoch sums, every random stream, the fixed grid's noise and
    captions, the config, the data record, the last summary and how many records
    metrics.jsonl holds."""
    trainer, rng, state = loop.trainer.state_dict(), global_rng_state(loop.device), loop.state
    epoch, batch = state.resume_position(loop.batches_per_epoch)
    tensors = {
        **trainer["tensors"], "fixed_noise": loop.fixed_noise, **rng["tensors"],
        "rng.data": loop.data_generator.get_state(),
        "rng.data_epoch": state.epoch_rng if state.epoch_rng is not None
        else loop.data_generator.get_state(),
        "rng.caption": loop.source.caption_generator.get_state(),
    }
    meta = {
        "ganforge_version": __version__,
        "step": state.step, "epoch": loop.last_summary.get("epoch", state.epoch),
        "resume_epoch": epoch, "resume_batch": batch, "epoch_sums": state.sums,
        "records": loop.folder.count_records(), "config": loop.config.to_dict(),
        "world_size": loop.dist.world_size,
        "summary": loop.last_summary, **trainer["meta"], **rng["meta"],
    }
    if loop.data_record is not None:
        meta["data"] = loop.data_record
    if loop.fixed_captions is not None:
        tensors["fixed_text"] = loop.fixed_captions.text
        meta["fixed_captions"] = loop.fixed_captions.captions
    return {"tensors": tensors, "meta": meta}

def restore_loop(loop: Any, state: dict[str, Any]) -> None:
    """Put `loop` back exactly where loop_state left it; KeyError, ValueError or RuntimeError
    when it does not fit. metrics.jsonl is cut back to the records it had then only when
    training goes on from there (training.resume_point.go_on_from)."""
    tensors, meta = state["tensors"], state["meta"]
    loop.trainer.load_state_dict(state)
    device = loop.device  # checkpoints are read to the CPU; G draws the grid here
    loop.fixed_noise = to_device(tensors["fixed_noise"], device)
    if "fixed_text" in tensors:
        loop.fixed_captions = FixedCaptions(list(meta["fixed_captions"]),
                                            tensors["fixed_text"])
        loop.fixed_cond = to_device(loop.fixed_captions.text, device)
    set_global_rng_state(state, device)
    loop.data_generator.set_state(tensors["rng.data"])
    loop.source.caption_generator.set_state(tensors["rng.caption"])
    loop.state = LoopState(step=meta["step"], epoch=meta["resume_epoch"],
                           batch=meta["resume_batch"], epoch_rng=tensors["rng.data_epoch"],
                           sums=list(meta["epoch_sums"]))
    loop.last_summary = meta.get("summary", {})
