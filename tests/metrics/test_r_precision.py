"""R-precision and caption similarity against hand-worked examples."""

import numpy as np
import pytest

from ganforge.metrics.r_precision import (
    candidate_rows,
    candidate_similarity,
    caption_similarity,
    hits,
    r_precision,
    r_precision_of,
)


def test_r_precision_of_a_known_similarity_matrix():
    # column 0: the image's own caption; a tie with another candidate is a miss
    sim = np.array([[0.9, 0.1, 0.5],    # hit
                    [0.2, 0.3, 0.1],    # miss: a candidate is nearer
                    [0.5, 0.5, 0.1],    # tie: miss
                    [0.7, -0.2, 0.6]])  # hit
    assert hits(sim).tolist() == [True, False, False, True]
    assert r_precision_of(sim) == 0.5


def test_r_precision_and_caption_similarity_of_known_embeddings():
    # image 2 (1, 0.2) is nearer caption 0 (1, 0) (cos 0.981) than its own (1, 1) (cos 0.832)
    images = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.2]])
    texts = np.array([[2.0, 0.0], [0.0, 3.0], [1.0, 1.0]])  # lengths do not matter
    result = r_precision(images, texts, candidates=3)
    assert result["candidates"] == 3 and result["n"] == 3
    assert result["r_precision"] == pytest.approx(2 / 3)
    assert result["stderr"] == pytest.approx(np.sqrt(2 / 9 / 3))
    own = 1.2 / (np.sqrt(1.04) * np.sqrt(2))
    assert caption_similarity(images, texts) == pytest.approx((1 + 1 + own) / 3)


def test_candidate_similarity_reads_the_rows_given():
    images = np.array([[1.0, 0.0], [0.0, 1.0]])
    texts = np.array([[1.0, 0.0], [0.0, 1.0]])
    rows = np.array([[0, 1], [1, 0]])
    # image 0 against captions 0, 1; image 1 against captions 1, 0: own first, then other
    assert candidate_similarity(images, texts, rows).tolist() == [[1.0, 0.0], [1.0, 0.0]]


def test_candidates_never_share_the_key_and_are_distinct():
    keys = ["a", "a", "b", "c", "d", "e"]
    rows = candidate_rows(keys, candidates=4, seed=3)
    assert rows.shape == (6, 4) and (rows[:, 0] == np.arange(6)).all()
    for i, row in enumerate(rows):
        assert len(set(row.tolist())) == 4
        assert all(keys[j] != keys[i] for j in row[1:])
    assert (candidate_rows(keys, 4, seed=3) == rows).all()  # seeded
    with pytest.raises(ValueError, match="only 4"):
        candidate_rows(keys, candidates=6)  # rows 0 and 1 have 4 others


def test_word_for_word_same_captions_are_not_candidates():
    # images 0 and 1 have the same caption text (the same vector): drawn as each other's
    # candidate, the tie would make both misses; with the text as key they are left out
    images = np.array([[1.0, 0.1], [1.0, -0.1], [0.0, 1.0], [-1.0, 0.0]])
    texts = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    keys = ["eight petals", "eight petals", "blue", "red"]
    assert r_precision(images, texts, keys, candidates=3)["r_precision"] == 1.0
    assert r_precision(images, texts, None, candidates=4)["r_precision"] == 0.5


def test_few_distinct_keys_use_fewer_candidates():
    images = np.eye(3)[[0, 1, 2, 0]]
    result = r_precision(images, images, keys=["x", "y", "z", "x"], candidates=100)
    assert result["candidates"] == 3  # rows of key x have two others
    assert result["chance"] == pytest.approx(1 / 3)
