"""Hard mismatched captions: same class, something false of the image, repeatable."""

import numpy as np
import pytest
import torch

from ganforge.errors import ConfigError
from ganforge.training.batch import BatchSource
from ganforge.training.wrong_captions import WrongCaptions


def _contradicts(caption: np.ndarray, known: np.ndarray) -> bool:
    both = (caption >= 0) & (known >= 0)
    return bool((caption[both] != known[both]).any())


def _random_levels(n: int, k: int, a: int, seed: int) -> np.ndarray:
    """Captions true of their image: each states a random subset of the image's levels."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, size=(n, 1, a))
    stated = rng.random((n, k, a)) < 0.5
    return np.where(stated, truth, -1).astype(np.int8)


def _draw(wrong: WrongCaptions, n: int, seed: int):
    return wrong.draw(torch.arange(n), torch.Generator().manual_seed(seed))


def test_hard_negatives_share_the_class_and_contradict_the_image():
    labels = torch.tensor([0, 1] * 30)
    levels = _random_levels(60, 5, 3, seed=0)
    wrong = WrongCaptions.build(labels, 5, levels)
    known = levels.max(axis=1)
    for seed in range(5):
        rows, ks = _draw(wrong, 60, seed)
        for i, (j, k) in enumerate(zip(rows.tolist(), ks.tolist(), strict=True)):
            assert labels[j] == labels[i] and j != i
            if any(_contradicts(levels[m, c], known[i]) for m in range(60)
                   if labels[m] == labels[i] for c in range(5)):
                assert _contradicts(levels[j, k], known[i]), (i, j, k)


def test_every_contradicting_caption_can_be_drawn():
    labels = torch.zeros(6, dtype=torch.long)
    levels = np.full((6, 1, 1), -1, dtype=np.int8)
    levels[:, 0, 0] = [0, 1, 1, 2, 0, -1]  # image 0 is level 0; images 1, 2, 3 say otherwise
    wrong = WrongCaptions.build(labels, 1, levels)
    seen = {int(wrong.draw(torch.tensor([0]), torch.Generator().manual_seed(s))[0])
            for s in range(60)}
    assert seen == {1, 2, 3}  # never 4 (also level 0) nor 5 (says nothing)


def test_without_levels_another_image_of_the_class():
    labels = torch.tensor([0, 0, 1, 1, 1, 2, 2])
    wrong = WrongCaptions.build(labels, 3)
    for seed in range(10):
        rows, ks = _draw(wrong, 7, seed)
        assert labels[rows].equal(labels) and not rows.eq(torch.arange(7)).any()
        assert ks.min() >= 0 and ks.max() < 3


def test_no_contradiction_falls_back_to_another_image():
    labels = torch.tensor([0, 0, 0])
    levels = np.zeros((3, 2, 1), dtype=np.int8)  # every caption says the same, truly
    rows, _ = _draw(WrongCaptions.build(labels, 2, levels), 3, 0)
    assert not rows.eq(torch.arange(3)).any()


def test_draws_are_repeatable_and_a_lonely_class_is_refused():
    labels = torch.tensor([0, 1] * 10)
    wrong = WrongCaptions.build(labels, 5, _random_levels(20, 5, 3, seed=1))
    a, b = _draw(wrong, 20, 3), _draw(wrong, 20, 3)
    assert a[0].equal(b[0]) and a[1].equal(b[1])
    with pytest.raises(ConfigError, match="class 2 has one"):
        WrongCaptions.build(torch.tensor([0, 0, 1, 1, 2]), 1)


def test_the_batch_source_carries_wrong_captions_only_when_asked():
    labels = torch.tensor([0, 1] * 4)
    text = torch.randn(8, 2, 4)
    images = torch.zeros(8, 1, 2, 2, dtype=torch.uint8)
    plain = BatchSource(images, labels, text, torch.Generator().manual_seed(0),
                        condition="text")
    assert plain.batch(torch.arange(4)).wrong_cond is None
    source = BatchSource(images, labels, text, torch.Generator().manual_seed(0),
                         wrong=WrongCaptions.build(labels, 2), condition="text")
    batch = source.batch(torch.arange(4))
    flat = text.reshape(16, 4)
    for i, vector in enumerate(batch.wrong_cond):
        match = [j // 2 for j in range(16) if flat[j].equal(vector)]
        assert match and labels[match[0]] == labels[i] and match[0] != i
    # the caption choices drawn before the wrong captions are those of a plain source
    again = BatchSource(images, labels, text, torch.Generator().manual_seed(0),
                        condition="text")
    assert again.batch(torch.arange(4)).cond.equal(batch.cond)


def test_fashion_captions_hard_negatives(real_data_root):
    from ganforge.data import load_dataset

    data = load_dataset("fashion-mnist-captions", "train", limit=400, text_encoder=None)
    wrong = WrongCaptions.build(data.labels, 5, data.levels)
    rows, ks = _draw(wrong, 400, 0)
    known = data.levels.max(axis=1)
    assert data.labels[rows].equal(data.labels)
    hard = [_contradicts(data.levels[j, k], known[i])
            for i, (j, k) in enumerate(zip(rows.tolist(), ks.tolist(), strict=True))]
    assert all(hard)  # 40 images a class: every image has a caption that contradicts it
