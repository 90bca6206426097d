"""The attribute head of the text-to-image objective (attribute_weight): D names the levels a
real image's caption states, G's images are scored against their captions' levels; the
levels travel with each batch's captions."""

import dataclasses

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ganforge.data.dataset import ImageData
from ganforge.errors import ConfigError
from ganforge.losses import bce_with_target, get_loss
from ganforge.models import build_models
from ganforge.models.t2i import T2IConfig
from ganforge.training.batch import Batch, BatchSource
from ganforge.training.batch_needs import batch_source, recombined
from ganforge.training.text_objective import TextConditionalObjective

LEVELS = torch.tensor([[0, 2, -1], [1, -1, -1], [-1, -1, -1], [3, 0, 1]])  # (B, A)


@pytest.fixture
def setup():
    torch.manual_seed(0)
    cfg = T2IConfig(text_dim=6, text_proj=4, latent_dim=5, width=4, num_classes=3,
                    attribute_weight=2.0, attributes=3, attribute_levels=4)
    g, d = build_models(cfg)
    objective = TextConditionalObjective(get_loss("non-saturating"), latent_dim=5,
                                         real_target=0.9, class_weight=0.5,
                                         attribute_weight=2.0)
    batch = Batch(torch.rand(4, 1, 28, 28) * 2 - 1, cond=torch.randn(4, 6),
                  labels=torch.tensor([0, 1, 2, 1]), levels=LEVELS)
    return g, d, objective, batch


def _attribute_ce(logits, levels):
    """Mean cross-entropy over the stated (attribute, image) pairs, by hand."""
    terms = [F.cross_entropy(logits[b, a][None], levels[b, a][None])
             for b in range(len(levels)) for a in range(levels.shape[1]) if levels[b, a] >= 0]
    return torch.stack(terms).mean()


def test_the_head_gives_a_softmax_per_attribute_from_the_image_alone(setup):
    _, d, _, batch = setup
    _, _, attributes = d(batch.images, batch.cond)
    assert attributes.shape == (4, 3, 4)
    _, _, other = d(batch.images, torch.randn(4, 6))
    assert torch.equal(attributes, other)  # the caption does not reach the head


def test_no_head_without_the_weight():
    _, d = build_models(T2IConfig(text_dim=6, text_proj=4, latent_dim=5, width=4,
                                  num_classes=3, attributes=3, attribute_levels=4))
    assert d(torch.rand(2, 1, 28, 28), torch.randn(2, 6))[2] is None
    assert not any("attributes" in k for k in d.state_dict())  # old checkpoints still load


def test_a_head_needs_captions_that_state_levels():
    with pytest.raises(ConfigError, match="attribute_weight needs"):
        build_models(T2IConfig(text_dim=6, num_classes=3, attribute_weight=1.0))


def test_d_learns_the_levels_of_real_images_only(setup):
    g, d, objective, batch = setup
    torch.manual_seed(1)
    terms = objective.d_terms(g, d, batch)
    logit, classes, attributes = d(batch.images, batch.cond)
    expected = bce_with_target(logit, 0.9) + 0.5 * F.cross_entropy(classes, batch.labels) \
        + 2.0 * _attribute_ce(attributes, LEVELS)
    assert torch.allclose(terms.real, expected, atol=1e-6)
    torch.manual_seed(1)
    plain = dataclasses.replace(objective, attribute_weight=0.0).d_terms(g, d, batch)
    assert torch.allclose(terms.generated, plain.generated)  # no head term on fakes
    assert torch.allclose(terms.mismatched, plain.mismatched)


def test_g_is_scored_against_what_its_captions_state(setup):
    g, d, objective, batch = setup
    g.eval()
    torch.manual_seed(2)
    with_head = objective.generator_loss(g, d, batch)
    torch.manual_seed(2)
    plain = dataclasses.replace(objective, attribute_weight=0.0).generator_loss(g, d, batch)
    torch.manual_seed(2)
    fake = g(torch.randn(4, 5), batch.cond)
    attributes = d(fake, batch.cond)[2]
    assert torch.allclose(with_head - plain, 2.0 * _attribute_ce(attributes, LEVELS), atol=1e-5)


def test_captions_that_state_nothing_add_nothing(setup):
    _, d, objective, batch = setup
    silent = dataclasses.replace(batch, levels=torch.full((4, 3), -1))
    attributes = d(batch.images, batch.cond)[2]
    assert float(objective._attributes(attributes, silent.levels).detach()) == 0.0


def test_each_batch_carries_the_levels_of_its_own_captions():
    text = torch.arange(5 * 3 * 2, dtype=torch.float32).view(5, 3, 2)  # (N, K, E)
    levels = torch.arange(5 * 3 * 4).view(5, 3, 4)  # (N, K, A): level = 4 * (3n + k) + a
    truth = torch.arange(5 * 4).view(5, 4)
    source = BatchSource(torch.zeros(5, 1, 4, 4, dtype=torch.uint8), torch.arange(5), text,
                         torch.Generator().manual_seed(0), condition="text", levels=levels,
                         truth=truth)
    batch = source.batch(torch.tensor([4, 0, 2]))
    k = (batch.cond[:, 0] / 2).long() % 3  # which of its captions each image got
    assert torch.equal(batch.levels, levels[torch.tensor([4, 0, 2]), k])
    assert torch.equal(batch.truth, truth[torch.tensor([4, 0, 2])])


def test_a_captioned_split_tells_the_model_its_attributes():
    data = ImageData(torch.zeros(2, 1, 4, 4, dtype=torch.uint8), torch.zeros(2, dtype=torch.long),
                     ("a",), "x", text=torch.zeros(2, 1, 6),
                     levels=np.zeros((2, 1, 5), dtype=np.int8), level_counts=(7, 6, 5, 3, 3))
    assert data.model_fields() == {"num_classes": 1, "text_dim": 6, "attributes": 5,
                                   "attribute_levels": 7}


def test_d_learns_every_level_of_images_whose_levels_are_known(setup):
    g, d, objective, batch = setup
    truth = torch.tensor([[0, 1, 2], [3, 3, 0], [1, 0, 0], [2, 2, 1]])
    torch.manual_seed(1)
    terms = objective.d_terms(g, d, dataclasses.replace(batch, truth=truth))
    logit, classes, attributes = d(batch.images, batch.cond)
    expected = bce_with_target(logit, 0.9) + 0.5 * F.cross_entropy(classes, batch.labels) \
        + 2.0 * _attribute_ce(attributes, truth)
    assert torch.allclose(terms.real, expected, atol=1e-6)


def test_the_truth_goes_with_the_images_only_when_the_head_is_on():
    data = ImageData(torch.zeros(2, 1, 4, 4, dtype=torch.uint8), torch.zeros(2, dtype=torch.long),
                     ("a",), "x", truth=np.array([[1, 2], [0, 1]], dtype=np.int8))
    data.levels = np.zeros((2, 1, 2), dtype=np.int8)
    on = TextConditionalObjective(get_loss("non-saturating"), latent_dim=5, attribute_weight=1)
    assert on.needs() == {"levels", "truth"}
    source = batch_source(data, on.needs(), "class", torch.device("cpu"), torch.Generator())
    assert torch.equal(source.truth, torch.tensor([[1, 2], [0, 1]]))
    off = dataclasses.replace(on, attribute_weight=0.0)
    assert batch_source(data, off.needs(), "class", torch.device("cpu"),
                        torch.Generator()).truth is None


def test_each_batch_carries_recombined_captions_from_the_bank():
    vectors = torch.arange(7 * 2, dtype=torch.float32).view(7, 2)  # (M, E): row m = 2m, 2m+1
    levels = torch.arange(7 * 3).view(7, 3)  # (M, A): row m = 3m, 3m+1, 3m+2
    source = BatchSource(torch.zeros(5, 1, 4, 4, dtype=torch.uint8), torch.zeros(5).long(),
                         torch.zeros(5, 3, 2), torch.Generator().manual_seed(0),
                         condition="text", recombined=(vectors, levels))
    batch = source.batch(torch.tensor([0, 1, 2, 3]))
    rows = batch.recombined[:, 0].long() // 2
    assert batch.recombined.shape == (4, 2) and torch.equal(batch.recombined_levels, levels[rows])
    plain = BatchSource(torch.zeros(5, 1, 4, 4, dtype=torch.uint8), torch.zeros(5).long(),
                        torch.zeros(5, 3, 2), condition="text")
    assert plain.batch(torch.tensor([0, 1])).recombined is None


def test_g_is_scored_on_recombined_captions_by_the_attribute_head(setup):
    g, d, objective, batch = setup
    g.eval()
    batch = dataclasses.replace(batch, recombined=torch.randn(4, 6),
                                recombined_levels=torch.tensor([[0, 1, 2]] * 4))
    on = dataclasses.replace(objective, recombine_weight=3.0)
    torch.manual_seed(4)
    with_term = on.generator_loss(g, d, batch)
    torch.manual_seed(4)
    plain = objective.generator_loss(g, d, batch)
    torch.manual_seed(4)
    torch.randn(4, 5)  # the noise of the batch's own captions
    fake = g(torch.randn(4, 5), batch.recombined)
    logit, _, attributes = d(fake, batch.recombined)
    term = get_loss("non-saturating").g_loss(fake_logits=logit) \
        + 2.0 * _attribute_ce(attributes, batch.recombined_levels)
    assert torch.allclose(with_term - plain, 3.0 * term, atol=1e-5)


def test_recombination_needs_the_head_and_the_flowers():
    with pytest.raises(ConfigError, match="set attribute_weight too"):
        T2IConfig(recombine_weight=1.0)
    data = ImageData(torch.zeros(2, 1, 4, 4, dtype=torch.uint8), torch.zeros(2, dtype=torch.long),
                     ("a",), "fashion-mnist-captions", encoder="minilm")
    on = TextConditionalObjective(get_loss("non-saturating"), latent_dim=5, attribute_weight=1,
                                  recombine_weight=1)
    assert "recombined" in on.needs()
    with pytest.raises(ConfigError, match="synthetic-flowers"):
        recombined(data)
    assert "recombined" not in dataclasses.replace(on, recombine_weight=0.0).needs()
