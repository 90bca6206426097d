"""Attribute measurement: the numbers the captions and attribute alignment are made of."""

from __future__ import annotations

import numpy as np
import pytest

from ganforge.data.captioned.attributes import levels, measure, tertile_cuts
from ganforge.data.captioned.vocabularies import vocabulary_of

NAMES = ("thickness", "slant", "width", "brightness", "size")


def _bar(width: int, value: int = 255, shear: float = 0.0) -> np.ndarray:
    """A vertical bar 16 pixels tall in a 28x28 frame; shear > 0 moves its top right."""
    image = np.zeros((28, 28), np.uint8)
    for row in range(6, 22):
        left = int(round(12 + shear * (14 - row)))
        image[row, left : left + width] = value
    return image


def test_thicker_slanted_wider_brighter_bigger():
    images = np.stack([_bar(2), _bar(6), _bar(3, shear=0.5), _bar(3, shear=-0.5),
                       _bar(3, value=120)])
    v = dict(zip(NAMES, measure(images, NAMES).T, strict=True))
    assert v["thickness"][1] > v["thickness"][0] + 2  # 6 vs 2 pixels wide
    assert v["slant"][2] > 0.3 and v["slant"][3] < -0.3 and abs(v["slant"][0]) < 0.05
    assert v["width"][1] > v["width"][0]
    assert v["brightness"][0] > 0.99 and 0.45 < v["brightness"][4] < 0.5
    assert v["size"][1] == pytest.approx(6 * 16 / 784)


def test_generator_output_measures_like_the_saved_image():
    images = np.stack([_bar(2), _bar(5, shear=0.3)])
    as_float = images.astype(np.float32)[:, None] / 127.5 - 1.0  # (N, 1, 28, 28) in [-1, 1]
    assert np.allclose(measure(as_float, NAMES), measure(images, NAMES))


def test_levels_cut_per_class():
    cuts = np.array([[[1.0, 2.0]], [[10.0, 20.0]]])  # 2 classes, 1 attribute
    values = np.array([[0.5], [1.5], [2.5], [15.0], [25.0]])
    assert levels(values, np.array([0, 0, 0, 1, 1]), cuts).ravel().tolist() == [0, 1, 2, 1, 2]


@pytest.mark.parametrize("dataset", ["mnist-captions"])
def test_shipped_cut_points_are_the_training_tertiles(real_data_root, dataset):
    from ganforge.data import load_dataset

    data = load_dataset(dataset.removesuffix("-captions"), "train")
    values = measure(data.images.numpy(), vocabulary_of(dataset).attributes)
    fresh = tertile_cuts(values, data.labels.numpy(), 10)
    assert np.allclose(fresh, vocabulary_of(dataset).cut_points(), atol=1e-3)
