"""Precision and recall (k-NN manifolds): 1/1 for a set with itself, ~0 for disjoint sets."""

import numpy as np
import pytest
import torch

from ganforge.metrics.precision_recall import knn_radii, precision_recall


def test_a_set_with_itself_has_precision_and_recall_one():
    x = np.random.default_rng(0).normal(size=(1500, 16))
    pr = precision_recall(x, x)
    assert pr.precision == 1.0 and pr.recall == 1.0


def test_disjoint_sets_have_precision_and_recall_near_zero():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(800, 8)), rng.normal(size=(800, 8)) + 50.0
    pr = precision_recall(a, b)
    assert pr.precision == 0.0 and pr.recall == 0.0


def test_a_collapsed_generator_has_precision_but_little_recall():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(1000, 4))
    collapsed = real[:20][rng.integers(0, 20, 1000)] + rng.normal(size=(1000, 4)) * 0.01
    pr = precision_recall(collapsed, real)
    assert pr.precision > 0.9 and pr.recall < 0.2


def test_radius_is_the_kth_neighbour_distance_squared():
    points = torch.tensor([[0.0], [1.0], [3.0], [6.0]])
    assert knn_radii(points, k=2).tolist() == pytest.approx([9.0, 4.0, 9.0, 25.0])  # squared
