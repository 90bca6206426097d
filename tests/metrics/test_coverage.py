"""Mode coverage: classes with >= 1% of samples, KL of the histogram to uniform."""

import math

import numpy as np
import pytest

from ganforge.metrics.coverage import class_histogram, coverage, kl_to_uniform


def test_one_class_generator_covers_one_class_with_kl_log10():
    probs = np.zeros((500, 10))
    probs[:, 7] = 0.9
    probs[:, 2] = 0.1
    c = coverage(probs)
    assert c.count == 1 and c.covered == (7,)
    assert c.kl_uniform == pytest.approx(math.log(10))


def test_balanced_samples_cover_all_with_kl_zero():
    c = coverage(np.eye(10)[np.arange(1000) % 10])
    assert c.count == 10 and c.kl_uniform == pytest.approx(0.0, abs=1e-12)


def test_a_class_below_one_percent_is_not_covered():
    labels = np.array([0] * 995 + [1] * 5)  # class 1 has 0.5%
    c = coverage(np.eye(10)[labels])
    assert c.covered == (0,)
    assert class_histogram(np.eye(10)[labels])[1] == pytest.approx(0.005)


def test_kl_to_uniform_of_two_even_classes():
    hist = np.array([0.5, 0.5, 0, 0])
    assert kl_to_uniform(hist) == pytest.approx(math.log(2))
