"""The image-text encoder: the symmetric InfoNCE loss against its formula, the shapes, and
the temperature learned or fixed."""

import math

import pytest
import torch

from ganforge.metrics.contrastive import EncoderConfig, FittedEncoder, info_nce


def _formula(a, b, scale, same=None):
    """The loss written out term by term, in float64 Python arithmetic."""
    n = len(a)
    a = [[x / math.sqrt(sum(v * v for v in row)) for x in row] for row in a.tolist()]
    b = [[x / math.sqrt(sum(v * v for v in row)) for x in row] for row in b.tolist()]
    logit = [[scale * sum(p * q for p, q in zip(a[i], b[j], strict=True)) for j in range(n)]
             for i in range(n)]
    y = [[1.0 if (i == j if same is None else bool(same[i][j])) else 0.0 for j in range(n)]
         for i in range(n)]
    y = [[v / sum(row) for v in row] for row in y]

    def side(m):
        total = 0.0
        for i in range(n):
            log_z = math.log(sum(math.exp(v) for v in m[i]))
            total -= sum(y[i][j] * (m[i][j] - log_z) for j in range(n))
        return total / n

    transposed = [[logit[j][i] for j in range(n)] for i in range(n)]
    return (side(logit) + side(transposed)) / 2


def test_info_nce_is_its_formula():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(5, 3, generator=g), torch.randn(5, 3, generator=g)
    assert float(info_nce(a, b, 7.0)) == pytest.approx(_formula(a, b, 7.0), rel=1e-5)


def test_info_nce_with_shared_captions_is_its_formula():
    g = torch.Generator().manual_seed(1)
    a, b = torch.randn(4, 3, generator=g), torch.randn(4, 3, generator=g)
    same = torch.eye(4, dtype=torch.bool)
    same[0, 2] = same[2, 0] = True  # images 0 and 2 have the same caption
    got = float(info_nce(a, b, 3.0, same))
    assert got == pytest.approx(_formula(a, b, 3.0, same.tolist()), rel=1e-5)
    assert got != pytest.approx(float(info_nce(a, b, 3.0)), rel=1e-3)


def test_info_nce_of_identity_pairs_at_large_scale_is_near_zero():
    a = torch.eye(4)
    assert float(info_nce(a, a, 100.0)) < 1e-6
    assert float(info_nce(a, a.roll(1, 0), 100.0)) > 50  # every pair wrong


def test_encoder_shapes_and_unit_embeddings():
    cfg = EncoderConfig("contrastive", channels=3, image_size=64, text_dim=10)
    model = FittedEncoder(cfg).eval()
    x = torch.rand(2, 3, 64, 64) * 2 - 1
    assert model.features(x).shape == (2, 128)
    assert model.head(model.features(x)).shape == (2, 1)
    e = model.embed_images(x)
    t = model.embed_text(torch.randn(2, 10))
    assert torch.allclose(e.norm(dim=1), torch.ones(2), atol=1e-5)
    assert torch.allclose(t.norm(dim=1), torch.ones(2), atol=1e-5)
    assert float(model.scale().detach()) == pytest.approx(1 / 0.07, rel=1e-5)
    assert "log_scale" in dict(model.named_parameters())  # learned


def test_fixed_temperature_is_a_buffer_and_28px_images_work():
    cfg = EncoderConfig("self-supervised", channels=1, image_size=28, width=8,
                        temperature=0.2, learn_temperature=False)
    model = FittedEncoder(cfg)
    assert "log_scale" not in dict(model.named_parameters())
    assert "log_scale" in model.state_dict()
    assert float(model.scale()) == pytest.approx(5.0)
    assert model.features(torch.zeros(3, 1, 28, 28)).shape == (3, 128)
    with pytest.raises(ValueError, match="no text projection"):
        model.embed_text(torch.zeros(1, 4))


def test_classifier_kind_has_class_logits():
    model = FittedEncoder(EncoderConfig("classifier", channels=1, image_size=32, num_classes=4))
    assert model.head(model.features(torch.zeros(2, 1, 32, 32))).shape == (2, 4)
    with pytest.raises(ValueError, match="at least 2 classes"):
        EncoderConfig("classifier", num_classes=1)


def test_images_of_another_shape_are_refused_in_one_line():
    from ganforge.errors import ConfigError

    model = FittedEncoder(EncoderConfig("self-supervised", channels=3, image_size=64))
    with pytest.raises(ConfigError, match=r"shaped \(3, 32, 32\).*fitted on \(3, 64, 64\)"):
        model.features(torch.zeros(1, 3, 32, 32))
