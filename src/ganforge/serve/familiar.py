"""How close a caption is to what a text-to-image model was trained on.

The served model keeps a bank of its training captions' sentence vectors (by the run's own
encoder, unit length). A request's caption is compared with every one by cosine similarity;
below `THRESHOLD` the nearest one is far, and the API says so beside the images
(`CaptionCheck`), so the page can warn instead of drawing silently.

The bank's captions, in order of preference (`bank_captions`):
1. `training_captions` stored with the run or pretrained record (a seeded sample of up to
   BANK_SIZE distinct captions of its training split; the shipped text-to-image records
   carry them, written by benchmarks/caption_familiarity.py);
2. the training split of a built-in data set found on this machine (nothing is downloaded),
   or of a folder whose preparation is cached for the folder as it is (never prepared here);
3. the held-out captions of the run's sample grid (`fixed_captions` in its checkpoint).

THRESHOLD was measured with benchmarks/caption_familiarity.py on the two shipped
text-to-image models (docs/serving.md, "Captions far from the training data").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

BANK_SIZE = 500  # training captions kept for the comparison, at most
THRESHOLD = 0.65  # cosine similarity to the nearest training caption; below: far
BANK_SEED = 0


@dataclass(frozen=True)
class CaptionCheck:
    """A caption's nearest training caption and their cosine similarity."""

    similarity: float
    nearest: str
    threshold: float = THRESHOLD

    @property
    def familiar(self) -> bool:
        return self.similarity >= self.threshold

    def as_dict(self) -> dict[str, Any]:
        return {"similarity": round(self.similarity, 3), "nearest": self.nearest,
                "threshold": self.threshold, "familiar": self.familiar}


class CaptionBank:
    """Training captions and their unit sentence vectors (M, E)."""

    def __init__(self, captions: Sequence[str], vectors: torch.Tensor):
        self.captions = list(captions)
        self.vectors = torch.nn.functional.normalize(vectors.float(), dim=1)

    def check(self, vector: torch.Tensor) -> CaptionCheck | None:
        """The nearest caption to one sentence vector ((E,) or (1, E)); None: empty bank."""
        if not self.captions:
            return None
        unit = torch.nn.functional.normalize(vector.float().reshape(1, -1), dim=1)
        similarity, index = (self.vectors @ unit[0]).max(dim=0)
        return CaptionCheck(float(similarity), self.captions[int(index)])


def sample(captions: Sequence[str], size: int = BANK_SIZE, seed: int = BANK_SEED) -> list[str]:
    """Up to `size` distinct captions, a seeded sample in their first-seen order."""
    distinct = [c for c in dict.fromkeys(captions) if isinstance(c, str) and c.strip()]
    if len(distinct) <= size:
        return distinct
    keep = np.sort(np.random.default_rng(seed).choice(len(distinct), size, replace=False))
    return [distinct[i] for i in keep.tolist()]


def _meta(loaded: Any) -> dict[str, Any]:
    try:
        meta = json.loads(loaded.checkpoint.with_suffix(".json").read_text())
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _folder_captions(folder: str, options: Any) -> list[str]:
    """The training split's captions of a folder whose preparation (as `options` say) is
    cached for the folder as it is now; else [] (a server does not prepare a folder)."""
    from ganforge.data.folder.prepare import prepared_if_cached
    from ganforge.errors import GanforgeError

    try:
        p = prepared_if_cached(folder, options)
    except (GanforgeError, OSError):
        return []
    items = [] if p is None else p.manifest["items"]
    return [c for item in items if item["split"] == "train" for c in item["captions"]]


def training_split_captions(dataset: str, data_dir: Any, options: Any = None) -> list[str]:
    """The captions of a data set's training split when it is on this machine: a built-in
    set found there (never downloaded), or a folder whose preparation is cached, with
    `options` (a PrepareOptions) saying how the run prepared it (never prepared here);
    else []."""
    from ganforge.data.registry import data_sets, looks_like_path, normalise, resolve
    from ganforge.errors import GanforgeError

    sets = data_sets()
    entry = sets.get(normalise(dataset))
    if entry is None and options is not None and looks_like_path(dataset):
        return _folder_captions(dataset, options)
    if entry is None or entry.path is not None or not entry.captioned:
        return []
    try:
        rows = []
        if entry.base is not None:  # a set built from another is found where that one is
            base = sets[entry.base]
            found, where = resolve(base.find)(base, [], data_dir)
            rows = [{"name": base.name, "found": found, "location": where}]
        if not resolve(entry.find)(entry, rows, data_dir)[0]:
            return []
        from ganforge.data import load_dataset

        data = load_dataset(dataset, "train", data_dir, verify=False, text_encoder=None)
    except (GanforgeError, OSError, KeyError):
        return []
    return [c for per_image in data.captions or [] for c in per_image]


def bank_captions(loaded: Any) -> tuple[list[str], str]:
    """The captions to compare with and where they came from ("record", "data set",
    "sample grid"; "" when there are none)."""
    meta = _meta(loaded)
    stored = meta.get("training_captions")
    if isinstance(stored, list) and sample(stored):
        return sample(stored), "record"
    from ganforge.data.prepare_options import run_options

    data = loaded.config.data
    from_data = training_split_captions(data.dataset, data.data_dir, run_options(loaded.config))
    if from_data:
        return sample(from_data), "data set"
    grid = meta.get("fixed_captions")
    if isinstance(grid, list) and sample(grid):
        return sample(grid), "sample grid"
    return [], ""


def build_bank(loaded: Any) -> CaptionBank:
    """The bank of a text-to-image run: its captions encoded by the run's encoder (once;
    the vectors are kept in ganforge's embedding cache for the next start)."""
    from ganforge.text.cache import encode_cached
    from ganforge.text.encoders import get_encoder

    captions, _ = bank_captions(loaded)
    if not captions:
        return CaptionBank([], torch.zeros(0, 1))
    encoder = get_encoder(loaded.config.model.text_encoder)
    vectors = encode_cached(encoder, captions, "serve-caption-bank", log=lambda _: None)
    return CaptionBank(captions, vectors)
