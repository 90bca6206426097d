"""Per-caption variety of a synthetic-flowers generator: for each species, one caption that
names it whole (its four species attributes, `SPECIES_PHRASINGS`), n images of it with
different noise, and the spread of their evaluator features against the spread of that
species' real test images (metrics/caption_variety.py: mean pairwise distance, generated /
real). Real test images vary in size, rotation, shade and background within a species, so a
generator that keeps its variety scores near 1 and one that draws one image per caption
near 0.

    python benchmarks/caption_variety.py t2i-synthetic-flowers -n 10 --seed 0
    python benchmarks/caption_variety.py runs/t2i-synthetic-flowers -n 10
"""

from __future__ import annotations

import argparse

import numpy as np

from ganforge.data import load_dataset
from ganforge.data.synthetic_flowers.captions import SPECIES_PHRASINGS
from ganforge.data.synthetic_flowers.unseen import new_order_captions
from ganforge.metrics.caption_variety import caption_variety
from ganforge.metrics.features import get_extractor
from ganforge.sampling.captions import encode_captions, generate_for_captions, load_text_generator


def measure(source: str, n: int, seed: int):
    test = load_dataset("synthetic-flowers", "test", text_encoder=None)
    labels = test.labels.numpy()
    species = np.unique(labels)
    first = np.array([np.flatnonzero(labels == s)[0] for s in species])
    captions = new_order_captions(test.truth[first], seed, SPECIES_PHRASINGS)  # one per species
    loaded = load_text_generator(source)
    text = encode_captions(loaded, captions).repeat_interleave(n, dim=0)  # (S * n, E)
    images = generate_for_captions(loaded, text, seed=seed)
    extract = get_extractor("synthetic-flowers")
    generated = extract(images).features
    real = extract(test.images).features
    return caption_variety(generated, np.repeat(species, n), real, labels), captions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="a text-to-image run folder, checkpoint or pretrained "
                                       "name of synthetic-flowers")
    parser.add_argument("-n", type=int, default=10, help="images per caption (10, as many as "
                                                          "the test split has per species)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    variety, captions = measure(args.source, args.n, args.seed)
    print(f"{args.source}: {len(variety.ratios)} species, one whole-species caption each "
          f"(e.g. {captions[0]!r}), {args.n} images per caption, seed {args.seed}")
    print(f"spread of generated / real, per species: mean {variety.mean:.3f}, median "
          f"{np.median(variety.ratios):.3f}, share >= 0.5: {variety.share_at_least(0.5):.3f}")
    print(f"mean spread: generated {variety.generated.mean():.2f}, real "
          f"{variety.real.mean():.2f}")


if __name__ == "__main__":
    main()
