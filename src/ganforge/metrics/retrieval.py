"""R-precision and caption similarity of a text-to-image run's images (metrics.r_precision),
in the joint space of the image-text encoder fitted on its data set (`ganforge evaluator fit`,
metrics.fitted: the user's, else the one shipped for a built-in set), beside the same
figures for the real test images of the same captions (their ceiling).

The captions are the held-out ones the images were drawn from (metrics.draw), encoded with
the encoder's own sentence encoder (recorded with it; the run's vectors are reused when the
run has the same one). Candidates: the other held-out captions, never one word for word the
image's own (and, in `r_precision_other_classes`, never one of the image's class).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ganforge.metrics.fitted import data_key, evaluator_path_for, find_fitted, load_fitted
from ganforge.metrics.r_precision import CANDIDATES, caption_similarity, r_precision

if TYPE_CHECKING:
    import torch

    from ganforge.data.captioned.held_out import HeldOut
    from ganforge.metrics.contrastive import FittedEncoder

log = logging.getLogger(__name__)
_LOADED: dict[Path, tuple[FittedEncoder, dict[str, Any]]] = {}


def contrastive_for(dataset: str, folder: Path | str | None = None
                    ) -> tuple[FittedEncoder, dict[str, Any], Path] | None:
    """The image-text encoder fitted for `dataset` (loaded once per process), or None."""
    path = find_fitted(data_key(dataset), ("contrastive",), folder)
    if path is None:
        return None
    if path not in _LOADED:
        _LOADED[path] = load_fitted(path)
    return (*_LOADED[path], path)


def figures_of(model: FittedEncoder, images: Any, text: torch.Tensor, captions: list[str],
               labels: np.ndarray | None, seed: int) -> dict[str, Any]:
    """R-precision (and among other classes, where `labels`) and caption similarity of
    `images` with `text` (n, E), row i the caption of image i."""
    from ganforge.metrics.contrastive import embed

    img = embed(model, images=images).numpy()
    txt = embed(model, text=text).numpy()
    out: dict[str, Any] = {"r_precision": r_precision(img, txt, captions, CANDIDATES, seed),
                           "caption_similarity": caption_similarity(img, txt)}
    if labels is not None and len(np.unique(labels)) > 1:
        out["r_precision_other_classes"] = r_precision(img, txt, labels.tolist(), CANDIDATES,
                                                       seed)
    return out


def caption_vectors(record: dict[str, Any], held: HeldOut, n: int, run_encoder: str | None,
                    dataset: str) -> torch.Tensor:
    """(n, E) vectors of the first n held-out captions by the encoder's sentence encoder."""
    from ganforge.text.cache import encode_cached
    from ganforge.text.encoders import get_encoder

    name = record.get("text_encoder")
    if name is None or name == run_encoder:
        return held.text[:n].float()
    # cached under the name of the encoder's folder (never a path: a folder's key is one)
    where = evaluator_path_for(data_key(dataset)).name
    return encode_cached(get_encoder(name), held.captions[:n], where).float()


_NOTED: set[str] = set()  # folders whose missing image-text encoder was noted


def _say_no_encoder(dataset: str) -> None:
    """For a folder: once per process, why its captioned runs get no R-precision (its
    evaluator, fitted before it had captions or not, reads no captions)."""
    from ganforge.data.registry import looks_like_path

    if looks_like_path(dataset) and dataset not in _NOTED:
        _NOTED.add(dataset)
        log.warning("note: no R-precision or caption similarity: no image-text evaluator is "
                    "fitted for %s (one fitted before the folder had captions reads none); "
                    "`ganforge evaluator fit %s` fits one now that it has them", dataset,
                    dataset)


def retrieval_figures(images: Any, held: HeldOut, dataset: str, seed: int,
                      run_encoder: str | None = None, folder: Path | str | None = None
                      ) -> dict[str, Any]:
    """{"retrieval": ...} of `images`, drawn from the first len(images) captions of `held`,
    and of those captions' real images; {} when no image-text encoder is fitted for
    `dataset`."""
    found = contrastive_for(dataset, folder)
    if found is None:
        _say_no_encoder(dataset)
        return {}
    model, record, path = found
    n = len(images)
    log.info("R-precision of %d images among up to %d captions each (image-text encoder "
             "%s)", n, min(CANDIDATES, n), path)
    text = caption_vectors(record, held, n, run_encoder, dataset)
    captions, labels = held.captions[:n], np.asarray(held.labels[:n])
    labels = labels if len(held.classes) > 1 else None
    return {"retrieval": {
        "encoder": str(path), "text_encoder": record.get("text_encoder"),
        "encoder_r_precision": record["figures"].get("r_precision", {}).get("r_precision"),
        **figures_of(model, images, text, captions, labels, seed),
        "real": figures_of(model, held.images[:n], text, captions, labels, seed)}}
