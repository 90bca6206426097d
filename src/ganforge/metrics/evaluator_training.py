"""Train an evaluator CNN on a data set's training split, deterministically from a seed, and
write its weights with the record that reproduces them (`ganforge evaluator train NAME`).

When the data set knows each image's attributes (synthetic-flowers), the network gets one
head per attribute beside the class head, trained on the sum of the cross-entropies. Where
the data set also draws renders of any attribute combination (synthetic-flowers), the
attribute heads are then refitted on them (evaluator_refit.py), so that they read each
attribute on its own rather than by the nearest class; `refit_evaluator` does that step
alone on weights already trained."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from ganforge.fileio import atomic_write_bytes, atomic_write_json, sha256_bytes
from ganforge.metrics.evaluator import Evaluator, EvaluatorConfig
from ganforge.metrics.evaluator_accuracy import head_accuracies, to_unit_range
from ganforge.metrics.evaluator_refit import can_refit, refit_heads, renderer
from ganforge.metrics.weights import (
    DEFAULT_EPOCHS,
    DEFAULT_SEED,
    check_name,
    load_evaluator,
    read_meta,
    weights_dir,
)

BATCH_SIZE = 256
LR = 3e-3
WEIGHT_DECAY = 5e-4
SHIFT = 2  # random translation of up to this many pixels (augmentation)
WIDTH_64 = 16  # first block's channels of a 64x64 evaluator (4x the pixels of 28x28)


def random_shift(x: torch.Tensor, shift: int, generator: torch.Generator) -> torch.Tensor:
    """Translate each image by up to `shift` pixels in x and y (background -1 fills in)."""
    if shift == 0:
        return x
    n, size = x.shape[0], x.shape[-1]
    padded = F.pad(x, (shift, shift, shift, shift), value=-1.0)
    offsets = torch.randint(0, 2 * shift + 1, (2, n), generator=generator)
    out = torch.empty_like(x)
    for dy in range(2 * shift + 1):
        for dx in range(2 * shift + 1):
            mask = (offsets[0] == dy) & (offsets[1] == dx)
            if mask.any():
                out[mask] = padded[mask, :, dy : dy + size, dx : dx + size]
    return out.contiguous(memory_format=torch.channels_last)


def _loss(model: Evaluator, x: torch.Tensor, labels: torch.Tensor,
          truth: torch.Tensor | None) -> torch.Tensor:
    """Class cross-entropy plus that of every attribute head."""
    h = model.features(x)
    loss = F.cross_entropy(model.head(h), labels)
    for j, logits in enumerate(model.attribute_logits(h).values()):
        assert truth is not None
        loss = loss + F.cross_entropy(logits, truth[:, j])
    return loss


def train_epoch(model: Evaluator, opt: torch.optim.Optimizer, sched: Any,
                data: tuple[torch.Tensor, ...], generator: torch.Generator) -> float:
    """One pass over the shuffled training split (images, labels[, truth]); returns the mean
    loss."""
    images, labels = data[0], data[1]
    truth = data[2] if len(data) > 2 else None
    model.train()
    order = torch.randperm(len(images), generator=generator)
    size = batch_size(len(images))
    total, batches = 0.0, 0
    for i in range(0, len(order) - size + 1, size):
        index = order[i : i + size]
        x = random_shift(to_unit_range(images[index]), SHIFT, generator)
        loss = _loss(model, x, labels[index], None if truth is None else truth[index])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        total, batches = total + float(loss.detach()), batches + 1
    return total / max(1, batches)


def batch_size(n: int) -> int:
    """BATCH_SIZE, or the whole split when it is smaller."""
    return max(1, min(BATCH_SIZE, n))


def _truth(data: Any) -> torch.Tensor | None:
    """Each image's attribute levels (N, A) int64, where the data set knows them."""
    return None if data.truth is None else torch.from_numpy(data.truth.astype("int64"))


def _heads(data: Any) -> tuple[tuple[str, int], ...]:
    """(attribute, levels) of each head the data set's known attributes call for."""
    if data.truth is None:
        return ()
    return tuple(zip(data.attributes, data.level_counts, strict=True))


def reproduce_command(name: str, epochs: int, seed: int) -> str:
    """The command line that trains these weights again."""
    return f"ganforge evaluator train {name} --epochs {epochs} --seed {seed}"


def train_evaluator(name: str, epochs: int = DEFAULT_EPOCHS, seed: int = DEFAULT_SEED,
                    out: Path | str | None = None, data_dir: str | None = None,
                    log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train evaluator `name` on its training split, measure test accuracy, write
    `out/<name>.safetensors` and `out/<name>.json`; returns the JSON record."""
    from ganforge.data import load_dataset

    name = check_name(name)
    train = load_dataset(name, "train", data_dir, text_encoder=None)
    test = load_dataset(name, "test", data_dir, text_encoder=None)
    torch.manual_seed(seed)
    cfg = EvaluatorConfig(channels=train.channels, num_classes=train.num_classes,
                          width=WIDTH_64 if train.size == 64 else EvaluatorConfig.width,
                          image_size=train.size, heads=_heads(train))
    model = Evaluator(cfg).to(memory_format=torch.channels_last)
    generator = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY, fused=True)
    steps = epochs * (len(train) // batch_size(len(train)))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=steps)
    data = tuple(t for t in (train.images, train.labels, _truth(train)) if t is not None)
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        loss = train_epoch(model, opt, sched, data, generator)
        log(f"evaluator {name}: epoch {epoch}/{epochs}, loss {loss:.4f}, "
            f"{time.perf_counter() - start:.0f} s")
    heads = head_accuracies(model, test.images, test.labels, _truth(test))
    acc = heads.pop("class")
    refit = refit_heads(model, name, test, seed, log) if can_refit(name) else None
    log(f"evaluator {name}: test accuracy {acc:.4%} on {len(test)} images"
        + "".join(f", {k} {v:.4%}" for k, v in heads.items()))
    meta = {"name": name, "config": cfg.to_dict(), "seed": seed, "epochs": epochs,
            "command": reproduce_command(name, epochs, seed), "test_accuracy": acc,
            "test_images": len(test), "torch_version": torch.__version__,
            "threads": torch.get_num_threads(), "seconds": round(time.perf_counter() - start)}
    if heads:
        meta["head_accuracy"] = heads if refit is None else refit["after"]["test"]
    if refit is not None:
        meta["refit"] = refit
    return write_weights(model, Path(out) if out else weights_dir(), name, meta)


def write_weights(model: Evaluator, folder: Path, name: str,
                  meta: dict[str, Any]) -> dict[str, Any]:
    """Write the tensors then the JSON record (with their SHA-256), both atomically."""
    from safetensors.torch import save

    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    blob = save(state)
    atomic_write_bytes(folder / f"{name}.safetensors", blob)
    record = {**meta, "sha256": sha256_bytes(blob)}
    atomic_write_json(folder / f"{name}.json", record)
    return record


def refit_evaluator(name: str, seed: int = DEFAULT_SEED, folder: Path | str | None = None,
                    data_dir: str | None = None, log: Callable[[str], None] = print
                    ) -> dict[str, Any]:
    """Refit the attribute heads of evaluator `name` in `folder` (default: the package's
    weights) and write it back there; returns the new record."""
    from ganforge.data import load_dataset

    name = check_name(name)
    renderer(name)  # refuse a data set without renders before loading anything
    where = Path(folder) if folder else weights_dir()
    model, meta = load_evaluator(name, where), read_meta(name, where)
    test = load_dataset(name, "test", data_dir, text_encoder=None)
    refit = refit_heads(model, name, test, seed, log)
    meta = {k: v for k, v in meta.items() if k != "sha256"}
    return write_weights(model, where, name, {**meta, "head_accuracy": refit["after"]["test"],
                                              "refit": refit})
