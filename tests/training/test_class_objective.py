import pytest
import torch

from ganforge.errors import ConfigError
from ganforge.losses import get_loss
from ganforge.models.cdcgan28 import CDCGAN28Config, build
from ganforge.training.batch import Batch
from ganforge.training.class_objective import ClassConditionalObjective, WithClasses
from ganforge.training.regularizers import R1Penalty


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
    objective = ClassConditionalObjective(loss=get_loss("hinge"), latent_dim=12)
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
    objective = ClassConditionalObjective(loss=get_loss("hinge"), latent_dim=16)
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
    objective = ClassConditionalObjective(loss=get_loss("non-saturating"), latent_dim=12,
                                          penalties=(R1Penalty(1.0),))
    g = lambda z, classes: torch.zeros(len(z), 1, 28, 28)  # noqa: E731
    result = objective.discriminator_loss(g, d, _batch())
    assert torch.isfinite(result.loss)
    assert d.calls[-1].tolist() == [3, 1, 4, 1]  # R1's call, on the real images


def test_bound_discriminator_refuses_a_batch_it_cannot_split():
    bound = WithClasses(Recording(), torch.tensor([0, 1, 2]))
    assert bound(torch.zeros(6, 1, 2, 2)).shape == (6,)
    with pytest.raises(ValueError):
        bound(torch.zeros(4, 1, 2, 2))


def test_a_data_set_without_labels_is_one_clear_error():
    objective = ClassConditionalObjective(loss=get_loss("hinge"), latent_dim=12)
    with pytest.raises(ConfigError, match="labels"):
        objective.generate(lambda z, c: z, Batch(torch.zeros(2, 1, 28, 28)))
