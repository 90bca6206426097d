"""Captions for MNIST and Fashion-MNIST images, composed from the class and the attributes
measured on each image (text/attributes.py): "a thick, right-leaning seven", "a pair of
trousers that are dark and wide", "a picture of a small, light sandal".

Every caption names the class and one to three attributes at their measured level, in one
of several phrasings. The composer can list every caption it can write (about 20,000 per
data set), so their embeddings are computed once per encoder and shared by all splits.
`phrase_unseen` writes the same words in other orders that the data set never uses ("a
picture of a coat that is dark", "trousers are dark and wide", "a boot, small, pale"), for
measuring a run on captions it never saw (`compose_unseen`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ganforge.data.captioned.vocabularies import Vocabulary

CAPTIONS_PER_IMAGE = 5
SEEDS = {"train": 11, "test": 12}  # captions drawn per split with a fixed seed

@dataclass(frozen=True)
class Caption:
    text: str
    label: int
    levels: tuple[int, ...]  # per attribute: 0/1/2 as described, -1 when not mentioned


def article(word: str) -> str:
    return "an" if word[0] in "aeiou8" else "a"


def phrase(template: int, adjectives: list[str], noun: str, plural: bool) -> str:
    """One caption from adjectives and a noun in one of three phrasings."""
    listed = ", ".join(adjectives)
    joined = " and ".join(adjectives) if len(adjectives) < 3 else \
        f"{', '.join(adjectives[:-1])} and {adjectives[-1]}"
    if template == 0:
        return f"{listed} {noun}" if plural else f"{article(listed)} {listed} {noun}"
    if template == 1:
        head = noun if plural else f"{article(noun)} {noun}"
        return f"{head} that {'are' if plural else 'is'} {joined}"
    body = f"{listed} {noun}" if plural else f"{article(listed)} {listed} {noun}"
    return f"a picture of {body}"


UNSEEN_TEMPLATES = 3  # phrasings of `phrase_unseen`


def phrase_unseen(template: int, adjectives: list[str], noun: str, plural: bool) -> str:
    """One caption in one of three phrasings that `phrase` never writes."""
    listed = ", ".join(adjectives)
    joined = " and ".join(adjectives) if len(adjectives) < 3 else \
        f"{', '.join(adjectives[:-1])} and {adjectives[-1]}"
    head = noun if plural else f"{article(noun)} {noun}"
    verb = "are" if plural else "is"
    if template == 0:
        return f"a picture of {head} that {verb} {joined}"
    if template == 1:
        return f"{head} {verb} {joined}"
    return f"{head}, {listed}"


def _subsets(count: int) -> list[tuple[int, ...]]:
    """Non-empty attribute subsets, in attribute order."""
    return [s for r in range(1, count + 1) for s in itertools.combinations(range(count), r)]


@lru_cache(maxsize=8)
def vocabulary(vocab: Vocabulary, unseen: bool = False) -> tuple[Caption, ...]:
    """Every caption the composer writes with `vocab` (with `unseen`: every caption
    `phrase_unseen` can write), sorted by text (a stable order)."""
    words, nouns = vocab.words, vocab.nouns
    write, templates = (phrase_unseen, UNSEEN_TEMPLATES) if unseen else (phrase, 3)
    found: dict[str, Caption] = {}
    for label, variants in enumerate(nouns):
        for (noun, plural), template, subset in itertools.product(
                variants, range(templates), _subsets(len(words))):
            for lv in itertools.product(range(3), repeat=len(subset)):
                for pick in itertools.product(range(2), repeat=len(subset)):
                    adjectives = [words[a][v][p] for a, v, p in zip(subset, lv, pick, strict=True)]
                    levels = [-1] * len(words)
                    for a, v in zip(subset, lv, strict=True):
                        levels[a] = v
                    text = write(template, adjectives, noun, plural)
                    found[text] = Caption(text, label, tuple(levels))
    return tuple(found[t] for t in sorted(found))


@lru_cache(maxsize=4)
def _index(vocab: Vocabulary) -> dict[str, int]:
    return {c.text: i for i, c in enumerate(vocabulary(vocab))}


def compose(vocab: Vocabulary, labels: np.ndarray, levels: np.ndarray, seed: int,
            split_size: int | None = None, per_image: int = CAPTIONS_PER_IMAGE) -> np.ndarray:
    """Caption indices into vocabulary(vocab), (N, per_image), for the first N images of a
    split of `split_size` images, of classes `labels` (N,) with measured attribute levels
    `levels` (N, A). The random choices (from `seed`) are drawn for the whole split, so an
    image's captions do not depend on how many images are composed."""
    words, nouns = vocab.words, vocab.nouns
    subsets = _subsets(len(words))
    rng = np.random.default_rng(seed)
    n = len(labels)
    shape = (max(n, split_size or 0), per_image)
    subset_pick = rng.integers(len(subsets), size=shape)
    template = rng.integers(3, size=shape)
    noun_pick = rng.integers(2, size=shape)
    synonym = rng.integers(2, size=(*shape, len(words)))
    index = _index(vocab)
    out = np.empty((n, per_image), dtype=np.int64)
    for i in range(n):
        label = int(labels[i])
        for k in range(per_image):
            subset = subsets[subset_pick[i, k]]
            adjectives = [words[a][levels[i, a]][synonym[i, k, a]] for a in subset]
            noun, plural = nouns[label][noun_pick[i, k]]
            out[i, k] = index[phrase(int(template[i, k]), adjectives, noun, plural)]
    return out


def compose_unseen(vocab: Vocabulary, labels: np.ndarray, levels: np.ndarray, seed: int
                   ) -> list[Caption]:
    """One caption per image of classes `labels` (N,) with measured levels `levels` (N, A),
    in a phrasing of `phrase_unseen`: a random noun of the class and a random non-empty set
    of the image's attributes (with random synonyms), drawn with `seed`."""
    words, nouns = vocab.words, vocab.nouns
    subsets = _subsets(len(words))
    rng = np.random.default_rng(seed)
    out = []
    for label, row in zip(np.asarray(labels).tolist(), np.asarray(levels), strict=True):
        subset = subsets[int(rng.integers(len(subsets)))]
        noun, plural = nouns[label][int(rng.integers(2))]
        adjectives = [words[a][int(row[a])][int(rng.integers(2))] for a in subset]
        stated = tuple(int(row[a]) if a in subset else -1 for a in range(len(words)))
        text = phrase_unseen(int(rng.integers(UNSEEN_TEMPLATES)), adjectives, noun, plural)
        out.append(Caption(text, label, stated))
    return out
