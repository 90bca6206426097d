"""`ganforge evaluator fit DATA`: fit an evaluator for any data set, a built-in one or a
folder, on its training split, seeded and reproducible, and measure on its test split how far
it can be trusted. What it fits depends on what the data has:

    captions         contrastive      an image-text encoder (metrics.contrastive): FD, KID,
                                      precision/recall in its image features, R-precision
                                      and caption similarity in its joint space
    classes          classifier       a CNN classifier, as the shipped evaluators: FD, KID,
                                      precision/recall, classifier score, class coverage
    neither          self-supervised  a SimCLR-style image encoder that also names the
                                      damage done to an image (noise, blur, shuffled tiles;
                                      metrics.self_supervised): FD, KID, precision/recall

Each record holds its own figures on held-out real data: the classifier's test accuracy, the
image-text encoder's R@1 among 100 (metrics.r_precision) and caption similarity of real test
images, and for every kind the FD of the test split against the training split in its features
(the floor below which no generator's FD can be read).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from shlex import quote
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ganforge.data.folder.identity import folder_content
from ganforge.data.prepare_options import PrepareOptions
from ganforge.errors import DataError
from ganforge.metrics.contrastive import EncoderConfig, FittedEncoder, info_nce
from ganforge.metrics.evaluator_accuracy import to_unit_range
from ganforge.metrics.evaluator_training import random_shift
from ganforge.metrics.fitted import (
    KINDS,
    MIN_TEST,
    MIN_TRAIN,
    check_fitted_folder,
    data_key,
    default_epochs,
    evaluator_path_for,
    is_folder,
    write_fitted,
)
from ganforge.metrics.frechet import frechet_distance_of_features
from ganforge.metrics.retrieval import figures_of
from ganforge.metrics.self_supervised import TEMPERATURE, damage_head, view_loss

BATCH_SIZE = 256
LR = 2e-3
WEIGHT_DECAY = 5e-4
FLOOR_TRAIN = 10_000  # training images whose features the FD floor compares with the test's
MIX = 0.5  # share of training captions that mix two captions of the image (caption_batch)
DEFAULT_ENCODER = "minilm"  # sentence vectors of the captions (data.dispatch's default)


@dataclass
class Fitted:
    """A fitted encoder and its figures on held-out real data."""

    model: FittedEncoder
    figures: dict[str, Any]
    seconds: float


def kind_for(data: Any) -> str:
    """What `data` (a training split) can fit: captions -> contrastive, else classes ->
    classifier, else self-supervised."""
    if data.text is not None or data.captions is not None:
        return "contrastive"
    if len(data.classes) >= 2 and len(np.unique(data.labels.numpy())) >= 2:
        return "classifier"
    return "self-supervised"


def check_fit(train: Any, test: Any, kind: str, name: str) -> None:
    """Refuse, in one line, data too small (or lacking what `kind` needs) to fit on."""
    if len(train) < MIN_TRAIN or len(test) < MIN_TEST:
        raise DataError(f"{name}: {len(train)} training and {len(test)} test images; fitting "
                        f"an evaluator needs at least {MIN_TRAIN} and {MIN_TEST}")
    if kind == "contrastive" and (train.text is None or test.text is None):
        raise DataError(f"{name}: a contrastive evaluator needs captions (and their sentence "
                        "vectors: name a text encoder)")
    if kind == "classifier" and len(np.unique(train.labels.numpy())) < 2:
        raise DataError(f"{name}: a classifier needs at least two classes in the training split")


def encoder_config(train: Any, kind: str) -> EncoderConfig:
    """The sizes of the encoder for `train`'s images."""
    return EncoderConfig(
        kind=kind, channels=train.channels, image_size=train.size,
        width=16 if train.size > 32 else 32,
        text_dim=int(train.text.shape[-1]) if kind == "contrastive" else 0,
        temperature=TEMPERATURE if kind == "self-supervised" else 0.07,
        learn_temperature=kind == "contrastive",
        num_classes=len(train.classes) if kind == "classifier" else 0)


def caption_ids(captions: list[list[str]] | None, shape: tuple[int, int]) -> torch.Tensor:
    """(N, K) int64: the same number for word for word the same caption (row order)."""
    if captions is None:
        return torch.arange(shape[0] * shape[1]).view(shape)
    table: dict[str, int] = {}
    return torch.tensor([[table.setdefault(c, len(table)) for c in row] for row in captions],
                        dtype=torch.int64)


def _shift(size: int) -> int:
    """Random translation of the training images: 2 pixels at 28, 4 at 64."""
    return max(1, size // 16)


def _batch_loss(model: FittedEncoder, x: torch.Tensor, index: torch.Tensor, train: Any,
                ids: torch.Tensor | None, generator: torch.Generator,
                head: torch.nn.Module | None = None) -> torch.Tensor:
    kind = model.config.kind
    if kind == "self-supervised":
        return view_loss(model, x, head)
    x = random_shift(x, _shift(x.shape[-1]), generator)
    if kind == "classifier":
        return F.cross_entropy(model.head(model.features(x)), train.labels[index])
    assert ids is not None
    text, chosen = caption_batch(train.text, ids, index, generator)
    same = chosen[:, None] == chosen[None, :]
    return info_nce(model.embed_images(x), model.embed_text(text), model.scale(), same)


def caption_batch(text: torch.Tensor, ids: torch.Tensor, index: torch.Tensor,
                  generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """(vectors (B, E), caption ids (B,)) of one random caption of each image `index`; for
    a share MIX of them, two different captions of the image are mixed: their vectors'
    mean, scaled to their mean length (a sentence stating what both state, so that the
    projection also learns captions stating more than any one caption does). A mixed
    caption gets an id of its own (it matches its image only)."""
    b, k = len(index), text.shape[1]
    first = torch.randint(k, (b,), generator=generator)
    second = torch.randint(k, (b,), generator=generator)
    mix = (torch.rand(b, generator=generator) < MIX) & \
        (ids[index, first] != ids[index, second])  # two captions that differ
    a, c = text[index, first].float(), text[index, second].float()
    mean = a + c
    mean = mean * ((a.norm(dim=1) + c.norm(dim=1)) / 2 / mean.norm(dim=1).clamp_min(1e-12)
                   )[:, None]
    vectors = torch.where(mix[:, None], mean, a)
    chosen = torch.where(mix, -1 - torch.arange(b), ids[index, first])
    return vectors, chosen


def train_encoder(train: Any, kind: str, epochs: int, seed: int,
                  log: Callable[[str], None] = print, name: str = "data") -> FittedEncoder:
    """Fit an encoder of `kind` on the split `train` for `epochs` passes, from `seed` (its
    weights, the batch order, the augmentations, the caption drawn for each image)."""
    torch.manual_seed(seed)  # the weights, and the views of the self-supervised kind
    model = FittedEncoder(encoder_config(train, kind)).to(memory_format=torch.channels_last)
    # the self-supervised kind's damage head: fitted beside the encoder, not stored
    head = damage_head(model) if kind == "self-supervised" else None
    generator = torch.Generator().manual_seed(seed)
    size = min(BATCH_SIZE, len(train))
    steps = max(1, epochs * (len(train) // size))
    params = list(model.parameters()) + (list(head.parameters()) if head is not None else [])
    opt = torch.optim.AdamW(params, lr=LR, weight_decay=WEIGHT_DECAY)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=steps)
    ids = caption_ids(train.captions, tuple(train.text.shape[:2])) \
        if kind == "contrastive" else None
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(train), generator=generator)
        total, batches = 0.0, 0
        for i in range(0, len(order) - size + 1, size):
            index = order[i : i + size]
            loss = _batch_loss(model, to_unit_range(train.images[index]), index, train, ids,
                               generator, head)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total, batches = total + float(loss.detach()), batches + 1
        temperature = 1 / float(model.scale().detach())
        log(f"evaluator fit {name} ({kind}): epoch {epoch}/{epochs}, loss "
            f"{total / max(1, batches):.4f}"
            + (f", temperature {temperature:.4f}" if kind == "contrastive" else "")
            + f", {time.perf_counter() - start:.0f} s")
    model.eval()
    return model


@torch.no_grad()
def features_of(model: FittedEncoder, images: torch.Tensor, batch_size: int = 500
                ) -> np.ndarray:
    """(N, feature_dim) features of uint8 images, in eval mode."""
    model.eval()
    return torch.cat([model.features(to_unit_range(images[i : i + batch_size]))
                      for i in range(0, len(images), batch_size)]).numpy()


def held_out_pairs(test: Any, seed: int) -> tuple[np.ndarray, list[str]]:
    """One caption of every test image, drawn with `seed`: (caption index (N,), strings)."""
    k = np.random.default_rng(seed).integers(test.text.shape[1], size=len(test))
    strings = [test.captions[i][j] for i, j in enumerate(k)] if test.captions is not None \
        else [str(i) for i in range(len(test))]
    return k, strings


def measure(model: FittedEncoder, train: Any, test: Any, seed: int) -> dict[str, Any]:
    """The encoder's figures on held-out real data (the test split)."""
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(train), min(len(train), FLOOR_TRAIN), replace=False))
    fd = frechet_distance_of_features(features_of(model, test.images),
                                      features_of(model, train.images[torch.from_numpy(rows)]))
    figures: dict[str, Any] = {"fd_test_vs_train": fd, "fd_test_images": len(test),
                               "fd_train_images": len(rows)}
    kind = model.config.kind
    if kind == "classifier":
        with torch.no_grad():
            logits = model.head(torch.from_numpy(features_of(model, test.images)))
        figures["test_accuracy"] = float((logits.argmax(1) == test.labels).float().mean())
    if kind == "contrastive":
        k, strings = held_out_pairs(test, seed)
        text = test.text[torch.arange(len(test)), torch.from_numpy(k)].float()
        labels = test.labels.numpy() if len(test.classes) > 1 else None
        figures.update(figures_of(model, test.images, text, strings, labels, seed))
    return figures


def fit_on(train: Any, test: Any, kind: str = "auto", epochs: int | None = None, seed: int = 0,
           log: Callable[[str], None] = print, name: str = "data") -> Fitted:
    """Fit on the split `train` and measure on `test` (ImageData both)."""
    kind = kind_for(train) if kind == "auto" else kind
    if kind not in KINDS:
        raise DataError(f"unknown evaluator kind {kind!r} (known: auto, {', '.join(KINDS)})")
    check_fit(train, test, kind, name)
    epochs = default_epochs(kind, len(train), BATCH_SIZE) if epochs is None else epochs
    start = time.perf_counter()
    model = train_encoder(train, kind, epochs, seed, log, name)
    seconds = time.perf_counter() - start
    return Fitted(model, measure(model, train, test, seed), seconds)


def summary_line(name: str, record: dict[str, Any]) -> str:
    """One line of what a fitted evaluator is worth on held-out real data."""
    f, parts = record["figures"], []
    if "r_precision" in f:
        rp = f["r_precision"]
        parts.append(f"R@1 among {rp['candidates']} {rp['r_precision']:.3f} on {rp['n']} real "
                     f"test images (chance {rp['chance']:.3f})")
        if "r_precision_other_classes" in f:
            parts.append(f"{f['r_precision_other_classes']['r_precision']:.3f} with "
                         "candidates of other classes only")
        parts.append(f"caption similarity {f['caption_similarity']:.3f}")
    if "test_accuracy" in f:
        parts.append(f"test accuracy {f['test_accuracy']:.2%}")
    parts.append(f"FD test vs train {f['fd_test_vs_train']:.3f} (the floor)")
    return f"evaluator {name} ({record['kind']}): " + ", ".join(parts)


def reproduce_command(data: str, kind: str, epochs: int, seed: int, encoder: str | None,
                      options: Any = None) -> str:
    """The command line that fits the same evaluator again (`options`: a folder's
    preparation, data.folder.prepare.PrepareOptions)."""
    text = f" --text-encoder {encoder}" if kind == "contrastive" and encoder else ""
    flags = options.as_flags() if options is not None else ""
    return (f"ganforge evaluator fit {quote(str(data))}{flags} --kind {kind} --epochs {epochs} "
            f"--seed {seed}{text}")


def fit_evaluator(data: str, kind: str = "auto", epochs: int | None = None, seed: int = 0,
                  out: Path | str | None = None, data_dir: str | None = None,
                  text_encoder: str | None = DEFAULT_ENCODER, options: Any = None,
                  log: Callable[[str], None] = print) -> dict[str, Any]:
    """Fit an evaluator for data set `data` (a name or a folder, prepared as `options`, a
    PrepareOptions: None for the defaults), write it to `out` (default: evaluator_path_for
    its key) and return its record, with "path" (its JSON file). A folder's record keeps
    its preparation (evaluation loads its splits that way) and content (data.folder.identity)."""
    from ganforge.data import load_dataset

    key = data_key(data)
    folder = Path(out) if out else evaluator_path_for(key)
    check_fitted_folder(folder)  # a file as --out: refused before loading and fitting
    train = load_dataset(data, "train", data_dir, text_encoder=text_encoder, options=options)
    test = load_dataset(data, "test", data_dir, text_encoder=text_encoder, options=options)
    kind = kind_for(train) if kind == "auto" else kind
    epochs = default_epochs(kind, len(train), BATCH_SIZE) if epochs is None and kind in KINDS \
        else (epochs or 1)
    fitted = fit_on(train, test, kind, epochs, seed, log, key)
    encoder = train.encoder if kind == "contrastive" else None
    prepare = (options or PrepareOptions()) if is_folder(key) else None
    meta = {"kind": kind, "data": key, "seed": seed, "epochs": epochs,
            "command": reproduce_command(data, kind, epochs, seed, encoder, prepare),
            "text_encoder": encoder, "train_images": len(train), "test_images": len(test),
            "image_shape": list(train.images.shape[1:]), "classes": list(train.classes),
            "torch_version": torch.__version__, "threads": torch.get_num_threads(),
            "seconds": round(fitted.seconds, 1), "figures": fitted.figures}
    if prepare is not None:  # and what the folder holds: found again when it moves
        meta.update(prepare=asdict(prepare), content=folder_content(key, train, test))
    record = write_fitted(fitted.model, folder, meta)
    log(summary_line(key, record))
    return {**record, "path": str(folder / f"{kind}.json")}
