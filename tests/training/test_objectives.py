import copy

import pytest
import torch
from torch import nn

from ganforge.errors import ConfigError
from ganforge.losses import get_loss
from ganforge.models.cdcgan28 import CDCGAN28Config, build
from ganforge.training.batch import Batch, BatchSource
from ganforge.training.objectives import AdversarialObjective, WithCondition, score_both
from ganforge.training.regularizers import R1Penalty


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


# The class-conditional DCGAN: the batch's classes reach G and D through the one objective

class Recording(torch.nn.Module):
    """A stand-in network that records the classes it is called with."""

    def __init__(self):
        super().__init__()
        self.calls: list[torch.Tensor] = []
        self.w = torch.nn.Parameter(torch.ones(()))

    def forward(self, x, classes):
        self.calls.append(classes.clone())
        return self.w * x.flatten(1).mean(1) + classes.float()


def _batch(n=4):
    classes = torch.tensor([3, 1, 4, 1])[:n]
    return Batch(torch.rand(n, 1, 28, 28) * 2 - 1, cond=classes, labels=classes)


def test_generated_images_get_the_batch_classes_and_d_scores_with_them():
    g, d = Recording(), Recording()
    g.forward = lambda z, classes: (g.calls.append(classes.clone()),
                                    torch.zeros(len(z), 1, 28, 28))[1]
    objective = AdversarialObjective(loss=get_loss("hinge"), latent_dim=12)
    batch = _batch()
    objective.discriminator_loss(g, d, batch)
    assert g.calls[0].tolist() == [3, 1, 4, 1]
    # no BatchNorm in D: real and fake in one pass, the classes repeated for both halves
    assert d.calls[0].tolist() == [3, 1, 4, 1, 3, 1, 4, 1]
    objective.generator_loss(g, d, batch)
    assert g.calls[1].tolist() == d.calls[1].tolist() == [3, 1, 4, 1]


def test_d_loss_is_the_named_loss_of_class_conditional_scores():
    torch.manual_seed(0)
    g, d = build(CDCGAN28Config(latent_dim=16))
    objective = AdversarialObjective(loss=get_loss("hinge"), latent_dim=16)
    batch = _batch()
    torch.manual_seed(1)
    got = objective.discriminator_loss(g, d, batch).loss
    torch.manual_seed(1)
    with torch.no_grad():
        fake = g(torch.randn(4, 16), batch.labels)
    want = get_loss("hinge").d_loss(real_logits=d(batch.images, batch.labels),
                                    fake_logits=d(fake, batch.labels))
    torch.testing.assert_close(got, want)


def test_penalties_see_d_with_the_classes_bound():
    d = Recording()
    objective = AdversarialObjective(loss=get_loss("non-saturating"), latent_dim=12,
                                          penalties=(R1Penalty(1.0),))
    g = lambda z, classes: torch.zeros(len(z), 1, 28, 28)  # noqa: E731
    result = objective.discriminator_loss(g, d, _batch())
    assert torch.isfinite(result.loss)
    assert d.calls[-1].tolist() == [3, 1, 4, 1]  # R1's call, on the real images


def test_bound_discriminator_refuses_a_batch_it_cannot_split():
    bound = WithCondition(Recording(), torch.tensor([0, 1, 2]))
    assert bound(torch.zeros(6, 1, 2, 2)).shape == (6,)
    with pytest.raises(ValueError):
        bound(torch.zeros(4, 1, 2, 2))


def test_a_data_set_without_labels_is_one_clear_error():
    with pytest.raises(ConfigError, match="labels"):
        BatchSource(torch.zeros(2, 1, 28, 28, dtype=torch.uint8), condition="class")


def test_without_a_condition_g_and_d_see_noise_and_images_alone():
    objective = AdversarialObjective(loss=get_loss("hinge"), latent_dim=12)
    d = torch.nn.Linear(1, 1)
    calls = []
    g = lambda *args: (calls.append(len(args)), torch.zeros(len(args[0]), 1))[1]  # noqa: E731
    batch = Batch(torch.zeros(2, 1))
    assert objective.critic(d, batch) is d
    objective.generate(g, batch)
    assert calls == [1]


def test_a_bound_condition_of_vectors_repeats_by_rows():
    seen = []
    bound = WithCondition(lambda x, cond: (seen.append(cond), x.sum(1))[1], torch.eye(2))
    bound(torch.zeros(4, 3))
    assert seen[0].tolist() == [[1, 0], [0, 1], [1, 0], [0, 1]]
