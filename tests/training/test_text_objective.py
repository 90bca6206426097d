"""The text-to-image objective: D's three terms and G's term, computed by hand on a tiny batch."""

import dataclasses

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
    batch = Batch(torch.rand(4, 1, 28, 28) * 2 - 1, cond=torch.randn(4, 6),
                  labels=torch.tensor([0, 1, 2, 1]))
    return g, d, objective, batch


def _term(d, images, text, target, labels, weight):
    logit, classes, _ = d(images, text)
    return bce_with_target(logit, target) + weight * F.cross_entropy(classes, labels)


def test_the_three_discriminator_terms(setup):
    g, d, objective, batch = setup
    g.eval()  # BatchNorm in eval: G's output depends on its input alone
    torch.manual_seed(1)
    terms = objective.d_terms(g, d, batch)
    torch.manual_seed(1)
    fake = g(torch.randn(4, 5), batch.cond)  # the same noise the objective drew
    rolled, rolled_labels = batch.images[[3, 0, 1, 2]], torch.tensor([1, 0, 1, 2])
    expected = {
        "real": _term(d, batch.images, batch.cond, 0.9, batch.labels, 0.5),
        "mismatched": _term(d, rolled, batch.cond, 0.0, rolled_labels, 0.5),
        "generated": _term(d, fake, batch.cond, 0.0, batch.labels, 0.5),
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
    same = Batch(batch.images[:1].expand(4, -1, -1, -1), cond=batch.cond,
                 labels=torch.tensor([2, 2, 2, 2]))
    terms = objective.d_terms(g, d, same)
    real = _term(d, same.images, same.cond, 0.0, same.labels, 0.5)  # real pairs, scored fake
    assert torch.allclose(terms.mismatched, real, atol=1e-6)


def test_generator_term(setup):
    g, d, objective, batch = setup
    g.eval()
    torch.manual_seed(2)
    loss = objective.generator_loss(g, d, batch)
    torch.manual_seed(2)
    logit, classes, _ = d(g(torch.randn(4, 5), batch.cond), batch.cond)
    expected = bce_with_target(logit, 1.0) + 0.5 * F.cross_entropy(classes, batch.labels)
    assert torch.allclose(loss, expected, atol=1e-6)


def test_refuses_batches_without_captions_and_losses_without_sides(setup):
    g, d, objective, batch = setup
    with pytest.raises(ConfigError, match="needs a data set with captions"):
        objective.discriminator_loss(g, d, Batch(batch.images, labels=batch.labels))
    sideless = dataclasses.replace(get_loss("hinge"), d_real=None, d_fake=None)
    with pytest.raises(ConfigError, match="scores real and fake pairs apart"):
        TextConditionalObjective(sideless, latent_dim=5)


def test_hinge_scores_each_pair_with_its_side(setup):
    g, d, _, batch = setup
    objective = TextConditionalObjective(get_loss("hinge"), latent_dim=5, class_weight=0.5)
    g.eval()
    torch.manual_seed(1)
    terms = objective.d_terms(g, d, batch)
    torch.manual_seed(1)
    fake = g(torch.randn(4, 5), batch.cond)
    logit, classes, _ = d(batch.images, batch.cond)
    real = F.relu(1 - logit).mean() + 0.5 * F.cross_entropy(classes, batch.labels)
    logit, classes, _ = d(fake, batch.cond)
    generated = F.relu(1 + logit).mean() + 0.5 * F.cross_entropy(classes, batch.labels)
    assert torch.allclose(terms.real, real, atol=1e-6)
    assert torch.allclose(terms.generated, generated, atol=1e-6)


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


def _with_wrong(batch):
    wrong = torch.randn_like(batch.cond)
    return Batch(batch.images, batch.cond, batch.labels, wrong), wrong


def test_hard_mismatched_pairs_are_images_with_their_wrong_captions(setup):
    g, d, _, batch = setup
    batch, wrong = _with_wrong(batch)
    objective = TextConditionalObjective(get_loss("non-saturating"), latent_dim=5,
                                         class_weight=0.5, hard_mismatch=0.5)
    images, text, labels = objective.mismatched(batch)
    assert images[:2].equal(batch.images[:2]) and text[:2].equal(wrong[:2])  # 2 of 4 hard
    assert labels[:2].equal(batch.labels[:2])  # a same-class caption: the image's class
    assert images[2:].equal(batch.images[[1, 2]]) and text[2:].equal(batch.cond[2:])
    assert labels[2:].equal(batch.labels[[1, 2]])  # the rolled pairs as before
    terms = objective.d_terms(g, d, batch)
    assert torch.allclose(terms.mismatched, _term(d, images, text, 0.0, labels, 0.5), atol=1e-6)
    everything = dataclasses.replace(objective, hard_mismatch=1.0).mismatched(batch)
    assert everything[0].equal(batch.images) and everything[1].equal(wrong)


def test_hard_mismatch_needs_wrong_captions_and_off_asks_for_none(setup):
    g, d, _, batch = setup
    objective = TextConditionalObjective(get_loss("non-saturating"), latent_dim=5,
                                         hard_mismatch=0.5)
    with pytest.raises(ConfigError, match="wrong captions"):
        objective.d_terms(g, d, batch)
    assert objective.needs() == {"wrong_cond"}
    plain = TextConditionalObjective(get_loss("non-saturating"), latent_dim=5)
    assert plain.needs() == frozenset()  # off: the batch source draws nothing


def test_matching_aware_penalty_joins_d_loss(setup):
    from ganforge.training.regularizers import MatchingAwarePenalty

    g, d, _, batch = setup
    plain = TextConditionalObjective(get_loss("hinge"), latent_dim=5)
    penalised = dataclasses.replace(plain, ma_gp=MatchingAwarePenalty(2.0, 6.0))
    torch.manual_seed(4)
    a = plain.d_terms(g, d, batch)
    torch.manual_seed(4)
    b = penalised.d_terms(g, d, batch)
    assert a.penalty is None and b.penalty.item() > 0
    assert torch.allclose(b.total, a.total + b.penalty)
    b.total.backward()  # the penalty is differentiable in D's weights
    assert d.joint[0].weight.grad is not None


def test_augmentation_reaches_every_image_d_sees(setup):
    g, d, _, batch = setup
    seen = []

    def record(images):
        seen.append(images)
        return images.flip(-1)

    objective = TextConditionalObjective(get_loss("non-saturating"), latent_dim=5,
                                         augment=record)
    torch.manual_seed(5)
    terms = objective.d_terms(g, d, batch)
    assert len(seen) == 3  # real, mismatched, generated
    assert seen[0].equal(batch.images) and seen[1].equal(batch.images[[3, 0, 1, 2]])
    real = _term(d, batch.images.flip(-1), batch.cond, 1.0, batch.labels, 1.0)
    assert torch.allclose(terms.real, real, atol=1e-6)
    objective.generator_loss(g, d, batch)
    assert len(seen) == 4  # and G's images in G's step


def test_conditioning_augmentation_adds_its_kl_to_g_loss():
    from ganforge.models.t2i import T2IConfig as Config

    torch.manual_seed(0)
    g, d = build_models(Config(text_dim=6, text_proj=4, latent_dim=5, width=4, num_classes=3,
                               ca_weight=2.0))
    batch = Batch(torch.rand(4, 1, 28, 28) * 2 - 1, cond=torch.randn(4, 6),
                  labels=torch.tensor([0, 1, 2, 1]))
    plain = TextConditionalObjective(get_loss("non-saturating"), latent_dim=5)
    with_ca = dataclasses.replace(plain, ca_weight=2.0)
    torch.manual_seed(6)
    a = plain.generator_loss(g, d, batch)
    torch.manual_seed(6)
    b = with_ca.generator_loss(g, d, batch)
    torch.manual_seed(6)
    z = torch.randn(4, 5)
    _, kl = g(z, batch.cond, with_kl=True)
    assert kl.item() > 0 and torch.allclose(b, a + 2.0 * kl, atol=1e-6)


def test_from_config_takes_the_options_and_refuses_image_only_penalties():
    from ganforge.config import resolve_config
    from ganforge.losses import get_loss as loss_named
    from ganforge.training.regularizers import plan_stabilisers

    options = {"hard_mismatch": "0.5", "ma_gp_weight": "2", "ca_weight": "2",
               "augment": "translation,cutout", "loss": "hinge", "text_dim": "6"}
    config = resolve_config("t2i-fashion", overrides=options)
    plan = plan_stabilisers(loss_named("hinge"), config.loss, 1)
    objective = TextConditionalObjective.from_config(config, plan)
    assert (objective.hard_mismatch, objective.ca_weight) == (0.5, 2.0)
    assert (objective.ma_gp.weight, objective.ma_gp.power) == (2.0, 6.0)
    assert objective.augment.names == ("translation", "cutout")
    assert objective.loss.name == "hinge"
    r1 = resolve_config("t2i-fashion", overrides={"r1_weight": "1"})
    r1_plan = plan_stabilisers(loss_named("non-saturating"), r1.loss, 1)
    with pytest.raises(ConfigError, match="--ma-gp-weight"):
        TextConditionalObjective.from_config(r1, r1_plan)
