"""The text-to-image objective: D's three terms and G's term, computed by hand on a tiny batch."""

import pytest
import torch
import torch.nn.functional as F

from ganforge.errors import ConfigError
from ganforge.losses import bce_with_target, get_loss
from ganforge.models import build_models
from ganforge.models.t2i import T2IConfig
from ganforge.training.batch import Batch
from ganforge.training.text_objective import TextConditionalObjective


@pytest.fixture
def setup():
    torch.manual_seed(0)
    cfg = T2IConfig(text_dim=6, text_proj=4, latent_dim=5, width=4, num_classes=3)
    g, d = build_models(cfg)
    objective = TextConditionalObjective(get_loss("non-saturating"), latent_dim=5,
                                         real_target=0.9, class_weight=0.5)
    batch = Batch(torch.rand(4, 1, 28, 28) * 2 - 1, torch.tensor([0, 1, 2, 1]), torch.randn(4, 6))
    return g, d, objective, batch


def _term(d, images, text, target, labels, weight):
    logit, classes = d(images, text)
    return bce_with_target(logit, target) + weight * F.cross_entropy(classes, labels)


def test_the_three_discriminator_terms(setup):
    g, d, objective, batch = setup
    g.eval()  # BatchNorm in eval: G's output depends on its input alone
    torch.manual_seed(1)
    terms = objective.d_terms(g, d, batch)
    torch.manual_seed(1)
    fake = g(torch.randn(4, 5), batch.text)  # the same noise the objective drew
    rolled, rolled_labels = batch.images[[3, 0, 1, 2]], torch.tensor([1, 0, 1, 2])
    expected = {
        "real": _term(d, batch.images, batch.text, 0.9, batch.labels, 0.5),
        "mismatched": _term(d, rolled, batch.text, 0.0, rolled_labels, 0.5),
        "generated": _term(d, fake, batch.text, 0.0, batch.labels, 0.5),
    }
    for name, value in expected.items():
        assert torch.allclose(getattr(terms, name), value, atol=1e-6), name
    assert torch.allclose(terms.total, sum(expected.values()))
    torch.manual_seed(1)
    result = objective.discriminator_loss(g, d, batch)
    assert torch.allclose(result.loss, terms.total)
    assert 0 < float(result.d_real) < 1 and 0 < float(result.d_fake) < 1


def test_mismatched_pairs_differ_from_real_ones_only_by_the_caption(setup):
    g, d, objective, batch = setup
    same = Batch(batch.images[:1].expand(4, -1, -1, -1), torch.tensor([2, 2, 2, 2]), batch.text)
    terms = objective.d_terms(g, d, same)
    real = _term(d, same.images, same.text, 0.0, same.labels, 0.5)  # real pairs, scored fake
    assert torch.allclose(terms.mismatched, real, atol=1e-6)


def test_generator_term(setup):
    g, d, objective, batch = setup
    g.eval()
    torch.manual_seed(2)
    loss = objective.generator_loss(g, d, batch)
    torch.manual_seed(2)
    logit, classes = d(g(torch.randn(4, 5), batch.text), batch.text)
    expected = bce_with_target(logit, 1.0) + 0.5 * F.cross_entropy(classes, batch.labels)
    assert torch.allclose(loss, expected, atol=1e-6)


def test_refuses_batches_without_captions_and_non_bce_losses(setup):
    g, d, objective, batch = setup
    with pytest.raises(ConfigError, match="needs a data set with captions"):
        objective.discriminator_loss(g, d, Batch(batch.images, batch.labels))
    with pytest.raises(ConfigError, match="not hinge"):
        TextConditionalObjective(get_loss("hinge"), latent_dim=5)


def test_mode_seeking_term_punishes_ignored_noise(setup):
    from ganforge.training.text_objective import mode_seeking

    z1, z2 = torch.zeros(2, 5), torch.ones(2, 5)
    same = torch.zeros(2, 1, 4, 4)
    assert float(mode_seeking(same, same, z1, z2)) == pytest.approx(1e5)
    assert float(mode_seeking(same, same + 0.5, z1, z2)) == pytest.approx(2.0, rel=1e-3)
    g, d, _, batch = setup
    plain = TextConditionalObjective(get_loss("non-saturating"), latent_dim=5)
    seeking = TextConditionalObjective(get_loss("non-saturating"), latent_dim=5,
                                       diversity_weight=1.0)
    g.eval()
    torch.manual_seed(3)
    a = plain.generator_loss(g, d, batch)
    torch.manual_seed(3)
    b = seeking.generator_loss(g, d, batch)
    assert b > a  # the same first draw, plus a positive term
