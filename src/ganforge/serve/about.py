"""What the page says about the served model, in plain words: what the networks are
(model_configs.about) and which data they learned from, with a note when that data set is
drawn by a program rather than photographed (its registry entry has a `make`)."""

from __future__ import annotations

from ganforge.data.registry import data_sets, normalise
from ganforge.model_configs import about


def model_about(arch: str) -> str:
    """The architecture in plain words, e.g. "the classic DCGAN (Radford et al.) for 28x28"."""
    return about(arch)


def trained_on(dataset: str) -> str:
    """One or two sentences on the data the model learned from."""
    entry = data_sets().get(normalise(dataset))
    if entry is None:  # a folder of the user's own images
        return f"It learned from the images in {dataset}."
    text = f"It learned from {dataset} ({entry.sizes[0]:,} training images)."
    if entry.make is not None:
        text += (f" These are drawings made by a program (ganforge data make {dataset}), "
                 "not photographs: the model has never seen a real one.")
    return text
