import pytest
import torch

from ganforge.errors import ConfigError
from ganforge.training.batch import BatchSource


def _source(condition, **kw):
    images = torch.arange(4 * 4, dtype=torch.uint8).reshape(4, 1, 2, 2)
    labels = torch.tensor([3, 1, 4, 1])
    text = torch.arange(4 * 2 * 3, dtype=torch.float32).reshape(4, 2, 3)
    return BatchSource(images, labels, text, torch.Generator().manual_seed(0),
                       condition=condition, **kw)


def test_the_condition_decides_what_a_batch_carries():
    rows = torch.tensor([2, 0])
    plain = _source("none").batch(rows)
    assert plain.cond is None and plain.labels.tolist() == [4, 3]  # labels still there
    classes = _source("class").batch(rows)
    assert classes.cond.tolist() == [4, 3] and classes.labels.tolist() == [4, 3]
    text = _source("text").batch(rows)
    assert text.cond.shape == (2, 3) and text.labels.tolist() == [4, 3]
    for row, vector in zip(rows.tolist(), text.cond, strict=True):  # one of the image's own
        assert any(vector.equal(own) for own in _source("none").text[row])
    assert text.wrong_cond is None


def test_images_come_in_the_range_of_g():
    batch = _source("none").batch(torch.arange(4))
    assert batch.images.min() == -1.0 and batch.images.max() < 1.0


def test_a_conditional_source_without_its_condition_is_one_clear_error():
    images = torch.zeros(2, 1, 2, 2, dtype=torch.uint8)
    with pytest.raises(ConfigError, match="labels"):
        BatchSource(images, condition="class")
    with pytest.raises(ConfigError, match="captions"):
        BatchSource(images, torch.tensor([0, 1]), condition="text")
