"""Classifier score bounds: 1 for one class, K for confident predictions spread evenly."""

import numpy as np
import pytest

from ganforge.metrics.classifier_score import classifier_score


def test_one_class_scores_one():
    probs = np.zeros((100, 10))
    probs[:, 3] = 1.0
    assert classifier_score(probs) == pytest.approx(1.0)


def test_uniform_confident_scores_the_class_count():
    probs = np.eye(10)[np.arange(1000) % 10]
    assert classifier_score(probs) == pytest.approx(10.0, rel=1e-6)


def test_unsure_predictions_score_one():
    assert classifier_score(np.full((50, 10), 0.1)) == pytest.approx(1.0)


def test_two_even_classes_score_two():
    probs = np.eye(10)[np.arange(200) % 2]
    assert classifier_score(probs) == pytest.approx(2.0, rel=1e-6)
