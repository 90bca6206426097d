"""How a flowers generator draws each petal count: for "the flower has N petals" (the data
set's own phrasing, its plainest word for N), n images each, the share of them whose petal
count the synthetic-flowers evaluator's head reads as each count. One row per asked count;
the diagonal is that caption's count alignment.

    python benchmarks/petal_counts.py t2i-synthetic-flowers         # a pretrained name
    python benchmarks/petal_counts.py runs/t2i-synthetic-flowers-30 -n 200 --seed 0
"""

from __future__ import annotations

import argparse

import numpy as np

from ganforge.data.synthetic_flowers.captions import WORDS
from ganforge.data.synthetic_flowers.species import COUNTS
from ganforge.metrics.alignment import judge_attributes
from ganforge.sampling.captions import generate_from_caption, load_text_generator


def count_shares(source: str, n: int, seed: int) -> np.ndarray:
    """(len(COUNTS), len(COUNTS)): row i, the share of the images of count i's caption read
    as each count."""
    loaded = load_text_generator(source)
    rows = []
    for count in COUNTS:
        caption = f"the flower has {WORDS['petal_count'][count][0]} petals"
        images = generate_from_caption(loaded, caption, n, seed=seed)
        names, judged, _ = judge_attributes(images, np.zeros(n, int), "synthetic-flowers")
        read = judged[:, names.index("petal_count")]
        rows.append(np.bincount(read, minlength=len(COUNTS))[:len(COUNTS)] / n)
    return np.stack(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="a text-to-image run folder, checkpoint or pretrained "
                                       "name of synthetic-flowers")
    parser.add_argument("-n", type=int, default=200, help="images per caption (200)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    shares = count_shares(args.source, args.n, args.seed)
    print(f"{args.source}: {args.n} images per caption, seed {args.seed}; row = asked, "
          "column = read")
    print("asked " + "".join(f"{c:>7}" for c in COUNTS))
    for count, row in zip(COUNTS, shares, strict=True):
        print(f"{count:>5} " + "".join(f"{v:>7.3f}" for v in row))


if __name__ == "__main__":
    main()
