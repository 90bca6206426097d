"""Captions composed for MNIST / Fashion-MNIST, and the captioned data sets built on them."""

from __future__ import annotations

import numpy as np
import pytest

from ganforge.data import list_datasets, load_dataset
from ganforge.data.captioned.attributes import levels, measure
from ganforge.data.captioned.composed import (
    compose,
    compose_unseen,
    phrase,
    phrase_unseen,
    vocabulary,
)
from ganforge.data.captioned.vocabularies import vocabulary_of as words_of


def test_phrasings():
    assert phrase(0, ["thick", "slanted"], "seven", False) == "a thick, slanted seven"
    assert phrase(1, ["dark", "wide"], "trousers", True) == "trousers that are dark and wide"
    assert phrase(1, ["a", "b", "c"], "eight", False) == "an eight that is a, b and c"
    assert phrase(2, ["upright"], "one", False) == "a picture of an upright one"


@pytest.mark.parametrize("dataset", ["mnist-captions", "fashion-mnist-captions"])
def test_vocabulary_states_class_and_levels(dataset):
    vocab = vocabulary(words_of(dataset))
    assert len(vocab) == len({c.text for c in vocab}) > 10_000
    for caption in vocab[::997]:
        nouns = [n for n, _ in words_of(dataset).nouns[caption.label]]
        assert any(caption.text.endswith(n) or f"{n} that" in caption.text for n in nouns)
        for attribute, level in enumerate(caption.levels):
            words = words_of(dataset).words[attribute]
            if level >= 0:
                assert any(w in caption.text for w in words[level]), caption.text
        assert 1 <= sum(v >= 0 for v in caption.levels) <= 3


def test_compose_is_seeded_and_independent_of_how_many_images():
    labels = np.array([7, 1, 3, 3])
    stated = np.array([[2, 2, 0], [0, 1, 2], [1, 1, 1], [2, 0, 1]])
    full = compose(words_of("mnist-captions"), labels, stated, seed=11, split_size=4)
    assert full.shape == (4, 5)
    first_two = compose(words_of("mnist-captions"), labels[:2], stated[:2], 11, 4)
    assert np.array_equal(first_two, full[:2])
    assert not np.array_equal(compose(words_of("mnist-captions"), labels, stated, 12, 4), full)
    vocab = vocabulary(words_of("mnist-captions"))
    assert all(vocab[j].label == 7 for j in full[0])


def test_captioned_fashion_mnist(real_data_root, counting_encoder):
    data = load_dataset("fashion-mnist-captions", "train", limit=300, text_encoder="counting")
    assert tuple(data.images.shape) == (300, 1, 28, 28) and tuple(data.text.shape) == (300, 5, 16)
    assert data.model_fields() == {"num_classes": 10, "text_dim": 16, "attributes": 3,
                                   "attribute_levels": 3}
    assert counting_encoder.calls == [len(vocabulary(words_of("fashion-mnist-captions")))]
    measured = levels(measure(data.images.numpy(), data.attributes), data.labels.numpy(),
                      words_of("fashion-mnist-captions").cut_points())
    said = data.levels >= 0  # (N, K, A): what each caption states matches the measurement
    assert np.array_equal(np.broadcast_to(measured[:, None], data.levels.shape)[said],
                          data.levels[said])
    fewer = load_dataset("fashion-mnist-captions", "train", limit=40, text_encoder="counting")
    assert fewer.captions == data.captions[:40] and counting_encoder.calls == [20520]
    bare = load_dataset("mnist-captions", "test", limit=5, text_encoder=None)
    assert bare.text is None and len(bare.captions[0]) == 5


def test_listed_with_the_other_data_sets(tmp_path, flowers_root):
    rows = {r["name"]: r for r in list_datasets(flowers_root.parent)}
    assert rows["flowers102"]["found"] and rows["flowers102"]["location"] == str(flowers_root)
    assert {"mnist-captions", "fashion-mnist-captions"} <= set(rows)


@pytest.mark.parametrize("dataset", ["mnist-captions", "fashion-mnist-captions"])
def test_unseen_phrasings_write_none_of_the_data_sets_captions(dataset):
    seen = {c.text for c in vocabulary(words_of(dataset))}
    new = vocabulary(words_of(dataset), unseen=True)
    assert len(new) > 10_000 and not seen & {c.text for c in new}
    assert phrase_unseen(0, ["dark"], "coat", False) == "a picture of a coat that is dark"
    assert phrase_unseen(1, ["dark", "wide"], "trousers", True) == "trousers are dark and wide"
    assert phrase_unseen(2, ["small", "pale"], "boot", False) == "a boot, small, pale"


@pytest.mark.parametrize("dataset", ["mnist-captions", "fashion-mnist-captions"])
def test_compose_unseen_states_the_class_and_the_images_levels(dataset):
    rng = np.random.default_rng(0)
    labels, measured = rng.integers(10, size=200), rng.integers(3, size=(200, 3))
    made = compose_unseen(words_of(dataset), labels, measured, seed=7)
    assert [c.text for c in made] == [c.text for c in compose_unseen(words_of(dataset), labels,
                                                                     measured, seed=7)]
    seen = {c.text for c in vocabulary(words_of(dataset))}
    for caption, label, row in zip(made, labels, measured, strict=True):
        assert caption.text not in seen and caption.label == label
        assert any(noun in caption.text for noun, _ in words_of(dataset).nouns[label])
        words = set(caption.text.replace(",", "").split())
        for a, stated in enumerate(caption.levels):
            said = {lv for lv in range(3) if words & set(words_of(dataset).words[a][lv])}
            assert said == (set() if stated < 0 else {row[a]}), caption.text
            assert stated in (-1, row[a])
        assert max(caption.levels) >= 0
