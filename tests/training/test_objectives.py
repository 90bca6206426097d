import copy

import torch
from torch import nn

from ganforge.training.objectives import score_both


def _scores_alone(d, real, fake):
    return d(real), d(fake)


def test_one_pass_over_real_and_fake_gives_the_scores_of_two():
    torch.manual_seed(0)
    d = nn.Sequential(nn.Linear(8, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1)).eval()
    real, fake = torch.randn(5, 8), torch.randn(5, 8)
    got = score_both(d, real, fake)
    for a, b in zip(got, _scores_alone(d, real, fake), strict=True):
        assert a.shape == (5, 1)
        torch.testing.assert_close(a, b)


def test_batch_norm_keeps_real_and_fake_batches_apart():
    torch.manual_seed(0)
    d = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.Linear(16, 1)).train()
    twin = copy.deepcopy(d)
    real, fake = torch.randn(6, 8), torch.randn(6, 8) + 3.0
    got = score_both(d, real, fake)
    want = _scores_alone(twin, real, fake)
    for a, b in zip(got, want, strict=True):
        torch.testing.assert_close(a, b)
    # and one joint pass would have given other scores: the test can tell them apart
    joint = copy.deepcopy(twin)(torch.cat([real, fake]))
    assert not torch.allclose(joint[:6], want[0])
