"""The epoch loop: cut shuffled batches from the in-memory data set, feed the trainer,
record statistics, and leave samples and checkpoints in the run folder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from ganforge.config import RunConfig
from ganforge.training.checkpoint import checkpoint_name, flatten_optimizer, write_checkpoint
from ganforge.training.observers import Observer
from ganforge.training.run_folder import RunFolder
from ganforge.training.trainer import Trainer

STAT_NAMES = ("d_loss", "g_loss", "d_real", "d_fake")


@dataclass
class LoopState:
    step: int = 0  # generator steps done
    epoch: int = 1  # current epoch, 1-based


def epoch_line(summary: dict, epochs: int) -> str:
    """The SPEC's per-epoch line, plus evaluation figures and the newest grid when present."""
    parts = [f"Epoch [{summary['epoch']}/{epochs}]"]
    if "g_loss" in summary:
        parts.append(f"Train G Loss: {summary['g_loss']:.4f}")
        parts.append(f"Train D Loss: {summary['d_loss']:.4f}")
    if "fd" in summary:
        parts.append(f"FD {summary['fd']:.2f}")
    if "coverage" in summary:
        parts.append(f"coverage {summary['coverage']}")
    if "grid" in summary:
        parts.append(f"grid {summary['grid']}")
    return ", ".join(parts)


def to_float_images(batch: torch.Tensor) -> torch.Tensor:
    """uint8 0..255 -> float in [-1, 1], the range of G's tanh output."""
    return batch.float().div_(127.5).sub_(1.0)


class TrainingLoop:
    def __init__(
        self,
        trainer: Trainer,
        images: torch.Tensor,
        config: RunConfig,
        folder: RunFolder,
        fixed_noise: torch.Tensor,
        data_generator: torch.Generator,
        progress: bool | None = None,
        log: Callable[[str], None] = tqdm.write,
        observers: Sequence[Observer] = (),
    ):
        self.trainer, self.images, self.config = trainer, images, config
        self.train_cfg = config.train
        self.folder, self.fixed_noise = folder, fixed_noise
        self.data_generator, self.progress, self.log = data_generator, progress, log
        self.observers = list(observers)
        self.state = LoopState()
        self._pending: list[tuple[int, int, torch.Tensor]] = []
        self.batches_per_epoch = images.shape[0] // self.train_cfg.batch_size

    def run(self) -> LoopState:
        cfg = self.train_cfg
        while self.state.epoch <= cfg.epochs and not self._done():
            epoch_records = self.run_epoch(self.state.epoch)
            self.end_epoch(self.state.epoch, epoch_records)
            self.state.epoch += 1
        self.folder.finish()
        for observer in self.observers:
            observer.on_finish(self)
        return self.state

    def _done(self) -> bool:
        return self.train_cfg.max_steps is not None and self.state.step >= self.train_cfg.max_steps

    def run_epoch(self, epoch: int) -> list[dict]:
        cfg, size = self.train_cfg, self.train_cfg.batch_size
        order = torch.randperm(self.images.shape[0], generator=self.data_generator)
        records: list[dict] = []
        disable = None if self.progress is None else not self.progress
        bar = tqdm(range(self.batches_per_epoch), desc=f"epoch {epoch}/{cfg.epochs}",
                   disable=disable, leave=False, unit="batch")
        for index in bar:
            real = to_float_images(self.images[order[index * size : (index + 1) * size]])
            stats = self.trainer.train_batch(index, real)
            if stats is None:
                continue
            self.state.step += 1
            self._pending.append((self.state.step, epoch, stats))
            if self.state.step % cfg.log_every == 0:
                records += self.flush()
                bar.set_postfix(d_loss=f"{records[-1]['d_loss']:.3f}",
                                g_loss=f"{records[-1]['g_loss']:.3f}")
            if self._done():
                break
        bar.close()
        return records + self.flush()

    def flush(self) -> list[dict]:
        """Turn pending step statistics into records (one host sync) and append them."""
        if not self._pending:
            return []
        values = torch.stack([s for _, _, s in self._pending]).tolist()
        records = [
            {"kind": "step", "step": step, "epoch": epoch,
             **dict(zip(STAT_NAMES, row, strict=True))}
            for (step, epoch, _), row in zip(self._pending, values, strict=True)
        ]
        self._pending.clear()
        self.folder.append_records(records)
        for observer in self.observers:
            observer.on_records(self, records)
        return records

    def end_epoch(self, epoch: int, records: list[dict]) -> None:
        """Samples, observers (evaluation may add to the summary), the epoch line, checkpoint."""
        cfg = self.train_cfg
        last = epoch == cfg.epochs or self._done()
        summary: dict = {"epoch": epoch, "step": self.state.step}
        for name in ("g_loss", "d_loss"):
            if records:
                summary[name] = sum(r[name] for r in records) / len(records)
        if epoch % cfg.sample_every == 0 or last:
            summary["grid"] = str(self.save_samples(epoch))
        for observer in self.observers:
            observer.on_epoch_end(self, summary)
        self.log(epoch_line(summary, cfg.epochs))
        if epoch % cfg.checkpoint_every == 0 or last:
            self.save_checkpoint(epoch, summary)

    def save_samples(self, epoch: int) -> Path:
        from ganforge.viz import save_grid

        generator = self.trainer.generator
        generator.eval()
        with torch.no_grad():
            images = generator(self.fixed_noise)
        generator.train()
        return save_grid(images, self.folder.sample_path(epoch), nrow=self.train_cfg.grid)

    def save_checkpoint(self, epoch: int, summary: dict | None = None,
                        name: str | None = None) -> Path:
        """Write a checkpoint of everything needed to continue; `name` defaults to the step."""
        t = self.trainer
        opt_g, groups_g = flatten_optimizer("opt_g", t.opt_g)
        opt_d, groups_d = flatten_optimizer("opt_d", t.opt_d)
        tensors = {
            **{f"generator.{k}": v for k, v in t.generator.state_dict().items()},
            **{f"discriminator.{k}": v for k, v in t.discriminator.state_dict().items()},
            **opt_g, **opt_d,
            "fixed_noise": self.fixed_noise,
            "rng.torch": torch.get_rng_state(),
            "rng.data": self.data_generator.get_state(),
        }
        meta = {"step": self.state.step, "epoch": epoch, "config": self.config.to_dict(),
                "opt_g_groups": groups_g, "opt_d_groups": groups_d, "summary": summary or {}}
        name = name or checkpoint_name(self.state.step)
        return write_checkpoint(self.folder.checkpoints, name, tensors, meta)
