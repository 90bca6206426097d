"""What the page says about the served model, in plain words: what the networks are
(model_configs.about) and which data they learned from, with a note when that data set is
drawn by a program rather than photographed (its registry entry has a `make`)."""

from __future__ import annotations

from pathlib import Path

from ganforge.data.registry import data_sets, normalise
from ganforge.model_configs import about


def model_about(arch: str) -> str:
    """The architecture in plain words, e.g. "the classic DCGAN (Radford et al.) for 28x28"."""
    return about(arch)


def trained_on(dataset: str) -> str:
    """One or two sentences on the data the model learned from."""
    entry = data_sets().get(normalise(dataset))
    if entry is None:  # a folder of the user's own images, named without the folders above
        return f"It learned from the images in {shown_name(dataset)}."
    text = f"It learned from {dataset} ({entry.sizes[0]:,} training images)."
    if entry.make is not None:
        text += (f" These are drawings made by a program (ganforge data make {dataset}), "
                 "not photographs: the model has never seen a real one.")
    return text


def shown_name(dataset: str) -> str:
    """A data set as the page shows it: a known set's name; a folder's or archive's own name
    only (the folders of the machine above it are not shown)."""
    return dataset if normalise(dataset) in data_sets() else (Path(dataset).name or dataset)
