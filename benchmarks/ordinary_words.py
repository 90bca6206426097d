"""Captions in a person's words, tried as a new user would: ten captions that name the
synthetic flowers' palette colours with names a person might use (paint-chart names, other
words for the centre, requests instead of descriptions), n images each, the petal and
centre colour judged from pixels by the synthetic-flowers evaluator's heads. Every colour
name here, and the nouns bloom, eye and heart, are held-out words (`vocabulary.HELD_OUT`):
no training caption holds them. The last column lists them.

    python benchmarks/ordinary_words.py t2i-synthetic-flowers -n 100 --seed 0
    python benchmarks/ordinary_words.py runs/t2i-synthetic-flowers -n 100
"""

from __future__ import annotations

import argparse

import numpy as np

from ganforge.data.synthetic_flowers.species import VALUES
from ganforge.data.synthetic_flowers.vocabulary import HELD_OUT, WORDS
from ganforge.metrics.alignment import judge_attributes
from ganforge.sampling.captions import generate_from_caption, load_text_generator

# (caption, petal colour name, its value, centre colour name, its value)
CAPTIONS = (
    ("draw a flower with dark periwinkle petals and a linen eye",
     "dark periwinkle", "blue", "linen", "white"),
    ("i would like a bloom with mango petals and a chestnut heart",
     "mango", "orange", "chestnut", "brown"),
    ("this flower has rose pink petals and a dandelion center",
     "rose pink", "pink", "dandelion", "yellow"),
    ("a flower with dodger blue petals and a sunflower yellow eye",
     "dodger blue", "blue", "sunflower yellow", "yellow"),
    ("draw a flower with deep red petals and a sap green middle",
     "deep red", "red", "sap green", "green"),
    ("please make a blossom with bisque petals and a saddle brown centre",
     "bisque", "white", "saddle brown", "brown"),
    ("this flower has medium purple petals and a light gold center",
     "medium purple", "purple", "light gold", "yellow"),
    ("i would like a flower with pumpkin orange petals and an almost black eye",
     "pumpkin orange", "orange", "almost black", "black"),
    ("a bloom with carnation pink petals and an algae heart",
     "carnation pink", "pink", "algae", "green"),
    ("draw a flower with dirty yellow petals and an umber center",
     "dirty yellow", "yellow", "umber", "orange"),
)


def check_names() -> None:
    """Every name is one the data set's vocabulary gives that value (a typo fails here)."""
    for caption, petal, petal_value, centre, centre_value in CAPTIONS:
        assert petal in WORDS["petal_colour"][petal_value], (caption, petal)
        assert centre in WORDS["centre_colour"][centre_value], (caption, centre)


def held_out_words(caption: str) -> list[str]:
    return sorted(w for w in HELD_OUT if f" {w} " in f" {caption} ")


def shares(source: str, n: int, seed: int) -> list[dict[str, object]]:
    """Per caption: the share of its n images judged to have the stated petal and centre
    colour."""
    loaded = load_text_generator(source)
    rows = []
    check_names()
    for caption, _, petal, _, centre in CAPTIONS:
        want = {"petal_colour": petal, "centre_colour": centre}
        images = generate_from_caption(loaded, caption, n, seed=seed)
        names, judged, _ = judge_attributes(images, np.zeros(n, int), "synthetic-flowers")
        row: dict[str, object] = {"caption": caption, "held_out": held_out_words(caption)}
        for attribute in ("petal_colour", "centre_colour"):
            level = VALUES[attribute].index(want[attribute])
            row[attribute] = float(np.mean(judged[:, names.index(attribute)] == level))
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="a text-to-image run folder, checkpoint or pretrained "
                                       "name of synthetic-flowers")
    parser.add_argument("-n", type=int, default=100, help="images per caption (100)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = shares(args.source, args.n, args.seed)
    print(f"{args.source}: {args.n} images per caption, seed {args.seed}")
    print(f"{'caption':<76} {'petal':>6} {'centre':>6}  held-out words")
    for r in rows:
        print(f"{r['caption']:<76} {r['petal_colour']:>6.2f} {r['centre_colour']:>6.2f}  "
              + ", ".join(r["held_out"]))
    print(f"{'mean':<76} {np.mean([r['petal_colour'] for r in rows]):>6.3f} "
          f"{np.mean([r['centre_colour'] for r in rows]):>6.3f}")


if __name__ == "__main__":
    main()
