"""Per-caption variety on fixed arrays: known spreads, ratios and the groups kept."""

import numpy as np
import pytest

from ganforge.metrics.caption_variety import caption_variety, spread


def test_spread_is_the_mean_pairwise_distance():
    square = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]])  # distances 3, 4, 5
    assert spread(square) == pytest.approx(4.0)
    assert spread(square[:1]) == 0.0
    assert spread(np.ones((5, 3))) == pytest.approx(0.0, abs=1e-6)


def test_ratios_per_group_and_their_mean():
    real = np.array([[0.0], [2.0], [0.0], [4.0]])  # group 0 spread 2, group 1 spread 4
    real_groups = np.array([0, 0, 1, 1])
    generated = np.array([[0.0], [1.0], [5.0], [5.0], [9.0]])  # spreads 1 and 0
    generated_groups = np.array([0, 0, 1, 1, 2])  # group 2 has no real images: left out
    v = caption_variety(generated, generated_groups, real, real_groups)
    assert v.ratios.tolist() == pytest.approx([0.5, 0.0])
    assert v.mean == pytest.approx(0.25)
    assert v.share_at_least(0.5) == 0.5


def test_a_generator_that_ignores_its_noise_scores_zero_and_one_like_the_data_one():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(4), 10)
    real = rng.normal(size=(40, 8)) + groups[:, None] * 10
    same = np.repeat(real[::10], 10, axis=0)  # one image per group, repeated
    assert caption_variety(same, groups, real, groups).mean == pytest.approx(0.0, abs=1e-6)
    like = rng.normal(size=(40, 8)) + groups[:, None] * 10
    assert 0.8 < caption_variety(like, groups, real, groups).mean < 1.25


def test_no_group_on_both_sides_is_refused():
    with pytest.raises(ValueError, match="two generated and two real"):
        caption_variety(np.zeros((2, 1)), np.array([0, 0]), np.zeros((2, 1)), np.array([1, 1]))
