"""Text-to-image on captioned images without classes: no class head in D, batches without
labels, and the objective's terms without their class cross-entropy."""

import pytest
import torch

from ganforge.data.captioned.held_out import pick
from ganforge.data.dataset import ImageData
from ganforge.errors import ConfigError
from ganforge.losses import bce_with_target, get_loss
from ganforge.model_configs import T2IConfig
from ganforge.models import build_models
from ganforge.training.batch import BatchSource
from ganforge.training.batch_needs import wrong_captions
from ganforge.training.run import adam, fit_to_data
from ganforge.training.text_objective import TextConditionalObjective
from ganforge.training.trainer import Trainer

N, K, E = 12, 3, 6


def _source() -> BatchSource:
    images = torch.randint(0, 256, (N, 1, 28, 28), dtype=torch.uint8)
    return BatchSource(images, None, torch.randn(N, K, E), torch.Generator().manual_seed(0),
                       condition="text")


def _networks():
    torch.manual_seed(0)
    return build_models(T2IConfig(text_dim=E, text_proj=4, latent_dim=5, width=4,
                                  num_classes=0))


def test_a_text_batch_source_without_labels_cuts_batches_without_labels():
    batch = _source().batch(torch.arange(4))
    assert batch.labels is None and batch.cond.shape == (4, E)
    with pytest.raises(ConfigError, match="needs a data set with captions"):
        BatchSource(torch.zeros(4, 1, 28, 28, dtype=torch.uint8), condition="text")


def test_the_terms_have_no_class_cross_entropy():
    g, d = _networks()
    g.eval()
    objective = TextConditionalObjective(get_loss("non-saturating"), latent_dim=5,
                                         real_target=0.9, class_weight=0.5)
    batch = _source().batch(torch.arange(4))
    torch.manual_seed(1)
    terms = objective.d_terms(g, d, batch)
    torch.manual_seed(1)
    fake = g(torch.randn(4, 5), batch.cond)
    expected = (bce_with_target(d(batch.images, batch.cond)[0], 0.9)
                + bce_with_target(d(torch.roll(batch.images, 1, 0), batch.cond)[0], 0.0)
                + bce_with_target(d(fake, batch.cond)[0], 0.0))
    assert torch.allclose(terms.total, expected, atol=1e-6)


def test_one_training_step_through_the_text_objective():
    g, d = _networks()
    objective = TextConditionalObjective(get_loss("non-saturating"), latent_dim=5,
                                         real_target=0.9)
    trainer = Trainer(generator=g, discriminator=d, opt_g=adam(g, 2e-4, (0.5, 0.999)),
                      opt_d=adam(d, 2e-4, (0.5, 0.999)), objective=objective)
    before = (g.net[0].weight.detach().clone(), d.real_fake.weight.detach().clone())
    stats = trainer.train_batch(0, _source().batch(torch.arange(8)))
    assert stats is not None and bool(torch.isfinite(stats).all())
    assert not torch.equal(before[0], g.net[0].weight)
    assert not torch.equal(before[1], d.real_fake.weight)


def test_hard_mismatches_need_classes():
    g, d = _networks()
    objective = TextConditionalObjective(get_loss("non-saturating"), latent_dim=5,
                                         hard_mismatch=0.5)
    with pytest.raises(ConfigError, match="needs a data set with classes"):
        objective.discriminator_loss(g, d, _source().batch(torch.arange(4)))
    data = ImageData(torch.zeros(4, 1, 28, 28, dtype=torch.uint8), torch.zeros(4,
                     dtype=torch.long), (), "captioned-folder", text=torch.randn(4, K, E))
    with pytest.raises(ConfigError, match="needs a data set with classes"):
        wrong_captions(data)


def test_a_data_set_without_classes_fits_a_model_without_a_class_head():
    from ganforge.config import resolve_config

    data = ImageData(torch.zeros(4, 1, 28, 28, dtype=torch.uint8), torch.zeros(4,
                     dtype=torch.long), (), "captioned-folder", text=torch.randn(4, K, E))
    assert data.model_fields() == {"num_classes": 0, "text_dim": E}
    config = fit_to_data(resolve_config("t2i-spec"), 1, 28, data.model_fields())
    assert config.model.num_classes == 0
    assert build_models(config.model)[1].classes is None


def test_held_out_captions_of_a_set_without_classes_are_random_images():
    pairs = pick(torch.zeros(20, dtype=torch.long).numpy(), 3, 9, 0, seed=0)
    assert len(pairs) == 9 and len({i for i, _ in pairs}) > 1
    assert all(0 <= i < 20 and 0 <= k < 3 for i, k in pairs)
