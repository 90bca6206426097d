"""The class ceiling: the best class alignment captions allow when they state only part of
what makes a class (metrics/alignment.py), on fixed arrays."""

import numpy as np
import pytest

from ganforge.data.unseen import class_attributes, class_ceiling

# Four classes, each one (colour, shape); size (the third attribute) varies within a class.
LABELS = np.array([0, 0, 1, 1, 2, 2, 3, 3])
TRUTH = np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1],
                  [1, 0, 0], [1, 0, 1], [1, 1, 0], [1, 1, 1]])


def test_the_attributes_a_class_is_made_of():
    assert class_attributes(LABELS, TRUTH).tolist() == [True, True, False]


def test_a_caption_stating_every_class_attribute_allows_every_class():
    stated = np.array([[0, 1, -1], [1, 1, 0]])
    assert class_ceiling(stated, LABELS, TRUTH) == 1.0


def test_a_caption_stating_half_of_a_class_allows_one_guess_in_two():
    stated = np.array([[0, -1, -1], [-1, 1, -1]])  # colour only, shape only: 2 classes fit
    assert class_ceiling(stated, LABELS, TRUTH) == 0.5
    # a size (no part of any class) says nothing of the class: 1 in 4
    assert class_ceiling(np.array([[-1, -1, 1]]), LABELS, TRUTH) == 0.25


def test_the_likeliest_class_of_those_that_fit_is_the_guess():
    labels = np.array([0, 0, 0, 1])  # class 0 three times as common as class 1
    truth = np.array([[0], [0], [0], [1]])
    assert class_ceiling(np.array([[-1]]), labels, truth) == pytest.approx(0.75)
    assert class_ceiling(np.array([[0], [-1]]), labels, truth) == pytest.approx(0.875)


def test_no_ceiling_when_no_attribute_is_fixed_within_a_class():
    truth = np.array([[0], [1], [0], [1]])
    assert class_ceiling(np.array([[0]]), np.array([0, 0, 1, 1]), truth) is None
