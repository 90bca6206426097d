"""The epoch loop: cut shuffled batches from the in-memory data set, feed the trainer,
record statistics, and leave samples and checkpoints in the run folder.

The loop's position (epoch, next batch, the shuffle order's random state) is part of every
checkpoint, so a resumed run continues exactly where the interrupted one stopped.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from ganforge.config import RunConfig
from ganforge.data.captioned.held_out import FixedCaptions
from ganforge.errors import ConfigError, DivergenceError
from ganforge.fileio import atomic_write_json
from ganforge.runs.checkpoint import checkpoint_name, list_checkpoints
from ganforge.runs.folder import STAT_NAMES, ReadOnlyFolder, RunFolder
from ganforge.runtime.device import to_device
from ganforge.runtime.distributed import DistContext, any_rank, any_ranks, shard
from ganforge.training.batch import BatchSource
from ganforge.training.loop_checkpoint import loop_state, restore_loop
from ganforge.training.loop_state import LoopState
from ganforge.training.observers import Observer
from ganforge.training.progress import ProgressLines, epoch_line, resume_command, wants_lines
from ganforge.training.state import save_state
from ganforge.training.trainer import Divergence, Trainer
from ganforge.viz import save_grid

POLL_BATCHES = 8  # ranks training together agree on a signal or the deadline this often


class Interrupted(Exception):
    """Training stopped on a signal after writing a checkpoint."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


class TrainingLoop:
    def __init__(
        self,
        trainer: Trainer,
        source: BatchSource,
        config: RunConfig,
        folder: RunFolder,
        fixed_noise: torch.Tensor,
        data_generator: torch.Generator,
        progress: bool | float | None = None,  # see training.progress.wants_lines
        log: Callable[[str], None] = tqdm.write,
        observers: Sequence[Observer] = (),
        fixed_cond: torch.Tensor | None = None,
        fixed_captions: FixedCaptions | None = None,
    ):
        self.trainer, self.source, self.config = trainer, source, config
        self.fixed_cond = fixed_cond  # G's condition of each grid cell (conditional models)
        self.fixed_captions = fixed_captions  # the captions of the cells, written beside them
        self.train_cfg = config.train
        self.folder, self.fixed_noise = folder, fixed_noise
        self.data_generator, self.progress, self.log = data_generator, progress, log
        self.observers = list(observers)
        self.state = LoopState()
        self.last_summary: dict = {}
        self.stop_signal: str | None = None  # set by a signal handler: stop after this batch
        self.started: float | None = None  # time.monotonic() when run() began
        self.lines: ProgressLines | None = None  # plain progress lines (no terminal)
        self._deadline: float | None = None  # time.monotonic() when --max-minutes runs out
        self._pending: list[tuple[int, int, torch.Tensor]] = []
        self.dist = DistContext()  # set by run.py when several processes train together
        self.data_record: dict | None = None  # data.fingerprint of the split, kept in checkpoints
        self.batches_per_epoch = len(source) // self.train_cfg.batch_size

    @property
    def device(self) -> torch.device:
        """Where the generator's weights are: the run's device."""
        return next(self.trainer.generator.parameters()).device

    def distribute(self, ctx: DistContext) -> None:
        """Train as one rank of several: a shard of each epoch, files written by rank 0 only."""
        if ctx.world_size > 1 and self.train_cfg.max_minutes is not None and \
                self.config.optim.lr_decay != "none":
            raise ConfigError("--lr-decay with --max-minutes follows each process's own clock; "
                              "under torchrun use --max-steps or --epochs to end the run")
        self.dist = ctx
        self.batches_per_epoch = len(self.source) // ctx.world_size // self.train_cfg.batch_size
        if self.batches_per_epoch == 0:
            raise ConfigError(f"batch_size {self.train_cfg.batch_size} in each of "
                              f"{ctx.world_size} processes is more than the data set "
                              f"({len(self.source)} images): a smaller --batch-size or "
                              "fewer processes")
        if not ctx.is_writer:
            self.folder = ReadOnlyFolder(self.folder.path)
            self.progress, self.log = False, lambda line: None
            self.observers = [o for o in self.observers if o.all_ranks]

    def run(self) -> LoopState:
        cfg = self.train_cfg
        self.started = time.monotonic()
        if cfg.max_minutes is not None:
            self._deadline = self.started + 60.0 * cfg.max_minutes
        every = wants_lines(self.progress)
        self.lines = None if every is None else ProgressLines(self, every, self.log)
        while self.state.epoch <= cfg.epochs and not self._done():
            self.run_epoch(self.state.epoch)
            self.end_epoch(self.state.epoch)
            if self.state.batch >= self.batches_per_epoch:  # else max_steps stopped it midway
                self.state.epoch, self.state.batch = self.state.epoch + 1, 0
        self.save_checkpoint(name="final")
        self.folder.finish()
        for observer in self.observers:
            observer.on_finish(self)
        return self.state

    def finished(self) -> bool:
        """Nothing left to train: every epoch done, or --max-steps reached."""
        cfg = self.train_cfg
        return self.state.epoch > cfg.epochs or (
            cfg.max_steps is not None and self.state.step >= cfg.max_steps)

    def _done(self) -> bool:
        """--max-steps reached, or the --max-minutes budget spent (on any rank)."""
        return self._steps_reached() or (self._deadline is not None and
                                         any_rank(self._late(), self.dist))

    def _steps_reached(self) -> bool:
        return self.train_cfg.max_steps is not None and \
            self.state.step >= self.train_cfg.max_steps

    def _late(self) -> bool:
        return self._deadline is not None and time.monotonic() >= self._deadline

    def _polls(self, index: int) -> bool:
        """Whether to look for a signal and the deadline after batch `index`: after every
        batch alone; every POLL_BATCHES batches (and the epoch's last) when several ranks
        must agree, since each agreement is a collective and a host sync."""
        return not self.dist.enabled or (index + 1) % POLL_BATCHES == 0 or \
            index + 1 == self.batches_per_epoch

    def run_epoch(self, epoch: int) -> None:
        state, size = self.state, self.train_cfg.batch_size
        if state.batch == 0:
            state.epoch_rng = self.data_generator.get_state()
            state.sums = [0.0, 0.0, 0]
        self.data_generator.set_state(state.epoch_rng)
        host = shard(torch.randperm(len(self.source), generator=self.data_generator), self.dist)
        order = to_device(host, self.source.images.device)  # once an epoch, not per batch
        disable = True if self.lines is not None else \
            None if self.progress is None else not self.progress
        bar = tqdm(range(state.batch, self.batches_per_epoch), desc=f"epoch {epoch}",
                   disable=disable, leave=False, unit="batch", initial=state.batch,
                   total=self.batches_per_epoch)
        for index in bar:
            try:
                cut = slice(index * size, (index + 1) * size)  # `host`: the CPU's copy
                stats = self.trainer.train_batch(index, self.source.batch(order[cut], host[cut]))
            except Divergence as exc:
                self.flush()
                raise DivergenceError(
                    f"step {state.step + 1}: {exc}; training stopped (--on-nan skip drops such "
                    f"updates instead); last good checkpoint: {self.last_good()}") from None
            state.batch = index + 1
            if stats is not None:
                state.step += 1
                self._pending.append((state.step, epoch, stats))
                if state.step % self.train_cfg.log_every == 0:
                    last = self.flush()[-1]
                    bar.set_postfix(d_loss=last["d_loss"], g_loss=last["g_loss"])
            if self.lines is not None:
                self.lines.tick(size * self.dist.world_size)
            if self._polls(index):
                signalled, late = any_ranks((self.stop_signal is not None, self._late()),
                                            self.dist)
                if signalled:
                    self.stop_signal = self.stop_signal or "SIGTERM"  # another rank's signal
                    self._stop_now()
                if late:
                    break
            if self._steps_reached():
                break
        bar.close()
        self.flush()

    def last_good(self) -> str:
        found = list_checkpoints(self.folder.path)
        return str(found[-1]) if found else "none yet"

    def _stop_now(self) -> None:
        self.flush()
        path = self.save_checkpoint()
        code = 130 if self.stop_signal == "SIGINT" else 143
        if not self.dist.is_writer:  # process 0 writes the checkpoint and says where
            raise Interrupted(f"stopped by {self.stop_signal} at step {self.state.step} "
                              f"(process {self.dist.rank}; process 0 saves the checkpoint)",
                              code)
        raise Interrupted(
            f"stopped by {self.stop_signal} at step {self.state.step}; checkpoint {path}; "
            f"resume with: {resume_command(self.folder.path, self.dist.world_size)}", code)

    def flush(self) -> list[dict]:
        """Turn pending step statistics into records (one host sync) and append them."""
        if not self._pending:
            return []
        values = torch.stack([s for _, _, s in self._pending]).tolist()
        values = [[v if math.isfinite(v) else None for v in row] for row in values]
        records = [
            {"kind": "step", "step": step, "epoch": epoch,
             **dict(zip(STAT_NAMES, row, strict=True))}
            for (step, epoch, _), row in zip(self._pending, values, strict=True)
        ]
        self._pending.clear()
        self._check_deferred(records)
        sums = self.state.sums
        for r in records:
            if r["g_loss"] is not None and r["d_loss"] is not None:
                sums[:] = [sums[0] + r["g_loss"], sums[1] + r["d_loss"], sums[2] + 1]
        self.folder.append_records(records)
        for observer in self.observers:
            observer.on_records(self, records)
        return records

    def _check_deferred(self, records: list[dict]) -> None:
        """Where the trainer does not check each loss as it comes (trainer.sync_checks False,
        on_nan "stop"), stop at the first step whose losses are NaN or Inf: its records and
        the ones before it are kept; no checkpoint is written (the weights are no good)."""
        trainer = self.trainer
        if trainer.sync_checks or trainer.on_nan != "stop":
            return
        bad = next((i for i, r in enumerate(records)
                    if r["d_loss"] is None or r["g_loss"] is None), None)
        if bad is None:
            return
        self.folder.append_records(records[: bad + 1])
        network = "discriminator" if records[bad]["d_loss"] is None else "generator"
        raise DivergenceError(
            f"step {records[bad]['step']}: {network} loss is NaN or Inf; training stopped "
            f"(--on-nan skip drops such updates instead); last good checkpoint: "
            f"{self.last_good()}")

    def end_epoch(self, epoch: int) -> None:
        """Samples, observers (evaluation may add to the summary), the epoch line, checkpoint."""
        cfg = self.train_cfg
        last = epoch == cfg.epochs or self._done()
        summary: dict = {"epoch": epoch, "step": self.state.step}
        g_sum, d_sum, count = self.state.sums
        if count:
            summary["g_loss"], summary["d_loss"] = g_sum / count, d_sum / count
        if epoch % cfg.sample_every == 0 or last:
            summary["grid"] = str(self.save_samples(epoch))
        for observer in self.observers:
            observer.on_epoch_end(self, summary)
        self.log(epoch_line(summary, cfg.epochs))
        self.last_summary = summary
        if epoch % cfg.checkpoint_every == 0 and not last:
            self.save_checkpoint()

    def save_samples(self, epoch: int) -> Path:
        if not self.dist.is_writer:
            return self.folder.sample_path(epoch)
        generator = self.trainer.sampler  # the EMA copy when there is one
        generator.eval()
        with torch.no_grad():
            images = generator(self.fixed_noise) if self.fixed_cond is None \
                else generator(self.fixed_noise, self.fixed_cond)
        generator.train()
        captions = self.fixed_captions
        if captions is not None:  # each cell's image, and captions.json listing them
            for i, entry in enumerate(captions.entries()):
                save_grid(images[i : i + 1], self.folder.path / entry["image"], nrow=1,
                          padding=0)
            atomic_write_json(self.folder.captions, captions.entries())
        return save_grid(images, self.folder.sample_path(epoch), nrow=self.train_cfg.grid)

    def save_checkpoint(self, name: str | None = None) -> Path:
        """Write everything needed to continue; `name` defaults to the step (step_0000123),
        and only such step checkpoints are pruned to the newest `keep`. NaN or Inf weights
        stop the run instead, with the step and the last good checkpoint."""
        if not self.dist.is_writer:
            return self.folder.checkpoints / f"{name or 'rank0'}.json"
        broken = self.trainer.nonfinite_network()
        if broken is not None:
            raise DivergenceError(
                f"step {self.state.step}: the {broken}'s weights hold NaN or Inf; training "
                f"stopped; last good checkpoint: {self.last_good()}")
        return save_state(self, self.folder.checkpoints, name or checkpoint_name(self.state.step),
                          keep=None if name else self.train_cfg.keep)

    def state_dict(self) -> dict[str, Any]:
        """Everything a checkpoint keeps (training.loop_checkpoint.loop_state)."""
        return loop_state(self)

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Put the loop back exactly where state_dict left it (loop_checkpoint.restore_loop)."""
        restore_loop(self, state)
