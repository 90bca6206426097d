"""How far a caption is from a text-to-image model's training captions: the measurement behind
`ganforge serve`'s warning (ganforge.serve.familiar.THRESHOLD).

For each shipped text-to-image model: its bank of training captions (the record's
`training_captions`; with --write-records, first drawn from the data set's training split and
stored in the record), then the cosine similarity to the nearest bank caption of
- held-out captions: one random caption of each of the first 400 test images, those in the
  bank left out;
- unrelated sentences (UNRELATED below), and a few short in-between ones (NEARBY).

    GANFORGE_DATA=../shared/datasets python benchmarks/caption_familiarity.py [--write-records]

Needs the data sets (built-in: fashion-mnist-captions, synthetic-flowers made with
`ganforge data make synthetic-flowers`).
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch

from ganforge.pretrained.store import entry_path
from ganforge.serve.familiar import THRESHOLD, CaptionBank, sample, training_split_captions

MODELS = ("t2i-synthetic-flowers", "t2i-fashion")
HELD_OUT = 400
UNRELATED = (
    "a car", "a bowl of soup", "a dog running on the beach", "a red car", "a plate of pasta",
    "a city skyline at night", "an old man reading a newspaper", "a cat sleeping on a sofa",
    "a mountain covered in snow", "a laptop on a desk", "a bicycle leaning on a wall",
    "a cup of coffee", "a tall building", "a person riding a horse", "a boat on a lake",
    "a slice of pizza", "two children playing football", "a guitar", "an airplane in the sky",
    "hello world", "the stock market fell today", "a green tree", "a red apple", "a tiger",
    "a house with a red roof", "blue sky", "a yellow banana", "a bird on a branch",
    "a bowl of fruit", "a train at a station",
)
NEARBY = {"t2i-synthetic-flowers": ("a red flower", "a blue flower", "a sunflower", "a pink rose",
                                    "a white daisy", "a pink dress"),
          "t2i-fashion": ("a coat", "a black shirt", "a shoe", "a skirt", "a hat",
                          "this flower has red petals")}


def write_record(name: str) -> None:
    """Store up to BANK_SIZE training captions of the model's data set in its record."""
    path = entry_path(name)
    record = json.loads(path.read_text())
    captions = training_split_captions(record["config"]["data"]["dataset"], None)
    if not captions:
        raise SystemExit(f"{name}: its data set's training split is not on this machine")
    record["training_captions"] = sample(captions)
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    print(f"{name}: stored {len(record['training_captions'])} of {len(set(captions))} "
          "distinct training captions")


def held_out(dataset: str, bank: list[str]) -> list[str]:
    from ganforge.data import load_dataset

    data = load_dataset(dataset, "test", None, limit=HELD_OUT, verify=False, text_encoder=None)
    rng = np.random.default_rng(0)
    picked = [caps[int(rng.integers(len(caps)))] for caps in data.captions or []]
    return [c for c in dict.fromkeys(picked) if c not in set(bank)]


def nearest(bank: CaptionBank, encoder, captions) -> np.ndarray:
    vectors = encoder.encode(list(captions))
    return np.array([bank.check(v).similarity for v in vectors])


def measure(name: str) -> None:
    from ganforge.text.encoders import get_encoder

    record = json.loads(entry_path(name).read_text())
    encoder = get_encoder(record["config"]["model"]["text_encoder"])
    captions = record["training_captions"]
    bank = CaptionBank(captions, encoder.encode(captions))
    inside = nearest(bank, encoder, held_out(record["config"]["data"]["dataset"], captions))
    outside = nearest(bank, encoder, UNRELATED)
    print(f"\n{name}: bank of {len(captions)} training captions")
    print(f"  held-out ({len(inside)}): min {inside.min():.3f}, 1% {np.percentile(inside, 1):.3f}"
          f", 5% {np.percentile(inside, 5):.3f}, median {np.median(inside):.3f}; below "
          f"{THRESHOLD}: {(inside < THRESHOLD).sum()}")
    print(f"  unrelated ({len(outside)}): median {np.median(outside):.3f}, 95% "
          f"{np.percentile(outside, 95):.3f}, max {outside.max():.3f}; at or above "
          f"{THRESHOLD}: {(outside >= THRESHOLD).sum()}")
    for caption, value in sorted(zip(UNRELATED, outside, strict=True), key=lambda x: -x[1])[:3]:
        print(f"    {value:.3f}  {caption}")
    for caption, value in zip(NEARBY[name], nearest(bank, encoder, NEARBY[name]), strict=True):
        print(f"  nearby {value:.3f}  {caption}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-records", action="store_true",
                        help="first store training captions in the shipped records")
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name in MODELS:
        if args.write_records:
            write_record(name)
        measure(name)


if __name__ == "__main__":
    main()
