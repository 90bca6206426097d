"""Latent walks: end points exact, slerp keeps to the sphere, degenerate pairs stay finite."""

import math

import pytest
import torch

from ganforge.serve.interpolate import interpolate, lerp, slerp


def _pair(seed=0, n=3, dim=100):
    rng = torch.Generator().manual_seed(seed)
    return torch.randn(n, dim, generator=rng), torch.randn(n, dim, generator=rng)


@pytest.mark.parametrize("method", ["slerp", "lerp"])
def test_end_points_are_the_two_latents(method):
    a, b = _pair()
    assert torch.equal(interpolate(a, b, 0.0, method), a)
    assert torch.equal(interpolate(a, b, 1.0, method), b)


def test_slerp_of_orthogonal_unit_vectors_is_the_bisector():
    a = torch.tensor([[1.0, 0.0]])
    b = torch.tensor([[0.0, 1.0]])
    mid = slerp(a, b, 0.5)
    assert torch.allclose(mid, torch.tensor([[1.0, 1.0]]) / math.sqrt(2), atol=1e-6)
    quarter = slerp(a, b, 1 / 3)  # a third of the 90-degree arc: 30 degrees
    assert torch.allclose(quarter, torch.tensor([[math.cos(math.pi / 6), 0.5]]), atol=1e-6)


def test_slerp_norm_changes_linearly_and_lerp_cuts_the_corner():
    a, b = _pair()
    for t in (0.25, 0.5, 0.75):
        expected = (1 - t) * a.norm(dim=1) + t * b.norm(dim=1)
        assert torch.allclose(slerp(a, b, t).norm(dim=1), expected, rtol=1e-5)
        # Two random 100-d Gaussians are nearly orthogonal: the straight line passes inside.
        assert (lerp(a, b, t).norm(dim=1) < 0.95 * expected).all()


def test_slerp_moves_monotonically_from_a_to_b():
    a, b = _pair(n=1)
    ts = [i / 10 for i in range(11)]
    to_b = [torch.dist(slerp(a, b, t), b).item() for t in ts]
    assert all(x > y for x, y in zip(to_b, to_b[1:], strict=False))


def test_parallel_and_opposite_vectors_stay_finite():
    a = torch.tensor([[1.0, 2.0, 3.0]])
    same = slerp(a, 2 * a, 0.5)
    assert torch.allclose(same, 1.5 * a, atol=1e-5)
    opposite = slerp(a, -a, 0.3)
    assert torch.isfinite(opposite).all()


def test_bad_arguments_are_refused():
    a, b = _pair()
    with pytest.raises(ValueError, match="t must be in"):
        interpolate(a, b, 1.5)
    with pytest.raises(ValueError, match="unknown interpolation method"):
        interpolate(a, b, 0.5, "cubic")
