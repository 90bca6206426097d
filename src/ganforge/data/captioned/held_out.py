"""The fixed captions of a text-conditioned run: one held-out caption per cell of the sample
grid, chosen with the run's seed from the data set's test split, so every epoch's grid draws
the same captions with the same noise. The loop writes each cell's image as
samples/captions_NNN.png and lists them in captions.json (the run report shows them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

CAPTIONS_FILE = "captions.json"


@dataclass
class FixedCaptions:
    captions: list[str]
    text: torch.Tensor  # (n, E) float32 sentence vectors, one per grid cell

    def write(self, run: Path, images: torch.Tensor) -> Path:
        """Each cell's image (from `images`, (n, C, H, W) in [-1, 1]) and captions.json."""
        from ganforge.fileio import atomic_write_json
        from ganforge.viz import save_grid

        entries = []
        for i, caption in enumerate(self.captions):
            name = f"samples/captions_{i:03d}.png"
            save_grid(images[i : i + 1], run / name, nrow=1, padding=0)
            entries.append({"caption": caption, "image": name})
        atomic_write_json(run / CAPTIONS_FILE, entries)
        return run / CAPTIONS_FILE


def pick(labels: np.ndarray, captions_per_image: int, count: int, num_classes: int,
         seed: int) -> list[tuple[int, int]]:
    """(image, caption) index pairs: classes taken in turn (shuffled when there are more
    classes than cells), a random image of each and a random caption of it."""
    rng = np.random.default_rng(seed)
    order = np.arange(num_classes) if num_classes <= count else rng.permutation(num_classes)
    present = [c for c in order.tolist() if np.any(labels == c)]
    chosen = []
    for i in range(count):
        members = np.flatnonzero(labels == present[i % len(present)])
        chosen.append((int(rng.choice(members)), int(rng.integers(captions_per_image))))
    return chosen


def fixed_captions(config: Any, count: int, seed: int) -> FixedCaptions:
    """`count` held-out captions of the run's data set (its test split), encoded."""
    from ganforge.data import load_dataset

    d = config.data
    held_out = load_dataset(d.dataset, "test", d.data_dir,
                            text_encoder=config.model.text_encoder)
    chosen = pick(held_out.labels.numpy(), held_out.text.shape[1], count,
                  len(held_out.classes), seed)
    captions = [held_out.captions[i][k] for i, k in chosen]
    text = torch.stack([held_out.text[i, k].float() for i, k in chosen])
    return FixedCaptions(captions, text)
