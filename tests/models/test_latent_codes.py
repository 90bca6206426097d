"""dcgan28's InfoGAN option: G reads a categorical code from its noise, D names it back."""

import pytest
import torch
from torch import nn

from ganforge.errors import ConfigError
from ganforge.losses import get_loss
from ganforge.models.dcgan28 import DCGAN28Config, build, code_of
from ganforge.training.batch import Batch
from ganforge.training.objectives import AdversarialObjective


def test_the_code_is_the_argmax_of_the_first_noise_entries():
    z = torch.zeros(3, 100)
    z[0, 2], z[1, 9], z[2, 0] = 5.0, 1.0, 0.5
    z[1, 50] = 9.0  # beyond the code entries: ignored
    assert code_of(z, 10).tolist() == [2, 9, 0]


def test_codes_are_uniform_for_gaussian_noise():
    counts = torch.bincount(code_of(torch.randn(20_000, 100), 10), minlength=10)
    assert counts.min() > 1800 and counts.max() < 2200


def test_generator_reads_the_code_one_hot_beside_z():
    g, d = build(DCGAN28Config(codes=10))
    assert g.net[0].in_channels == 110
    z = torch.randn(4, 100)
    other = z.clone()
    other[:, :10] = other[:, :10].flip(1)  # new codes, the rest of z as it was
    assert not torch.allclose(g(z), g(other))
    assert d.code_head.out_features == 10 and d.code_head.in_features == 128 * 4 * 4


def test_discriminator_scores_and_names_codes_in_one_pass():
    _, d = build(DCGAN28Config(codes=10, mbstd=4))
    x = torch.randn(8, 1, 28, 28)
    logits, code_logits = d(x, with_codes=True)
    assert logits.shape == (8,) and code_logits.shape == (8, 10)
    assert torch.allclose(logits, d(x))  # the same real/fake logits as the plain call
    _, plain = build(DCGAN28Config())
    assert plain.code_head is None
    with pytest.raises(ValueError, match="no code head"):
        plain(x, with_codes=True)


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"codes": 1}, "at least 2"), ({"codes": 200}, "at most latent_dim"),
    ({"codes": 10, "pack": 2}, "one or the other")])
def test_bad_codes_fail_at_construction(kwargs, fragment):
    with pytest.raises(ConfigError, match=fragment):
        DCGAN28Config(**kwargs)


def _objective(codes: int, weight: float = 1.0) -> AdversarialObjective:
    return AdversarialObjective(loss=get_loss("non-saturating"), latent_dim=100, codes=codes,
                                code_weight=weight)


def test_the_code_term_is_in_both_losses_and_trains_the_head():
    torch.manual_seed(0)
    g, d = build(DCGAN28Config(codes=10, width=8))
    batch = Batch(torch.rand(16, 1, 28, 28) * 2 - 1)
    torch.manual_seed(1)
    with_term = _objective(10, 1.0).generator_loss(g, d, batch)
    torch.manual_seed(1)
    without = _objective(10, 0.0).generator_loss(g, d, batch)
    assert with_term.item() > without.item() + 1.0  # an untrained head: about log(10) more
    head = torch.optim.Adam(d.code_head.parameters(), lr=1e-2)
    objective = _objective(10)
    z = torch.randn(64, 100)
    with torch.no_grad():
        before = objective.scored_codes(d, g(z), z)[1].item()
    for _ in range(200):  # D's own loss teaches the head to name G's codes
        loss = objective.discriminator_loss(g, d, batch).loss
        head.zero_grad()
        loss.backward()
        head.step()
    with torch.no_grad():
        after = objective.scored_codes(d, g(z), z)[1].item()
    assert after < before - 0.5


def test_without_codes_the_head_is_never_asked():
    g, d = build(DCGAN28Config(width=8))
    loss = _objective(0).discriminator_loss(g, d, Batch(torch.zeros(4, 1, 28, 28))).loss
    assert torch.isfinite(loss) and not isinstance(d.code_head, nn.Module)
