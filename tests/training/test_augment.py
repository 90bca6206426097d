"""Differentiable augmentation: translation and cutout, the same kind of transform for real
and fake images, differentiable, colours unchanged."""

import pytest
import torch

from ganforge.config import LossConfig, resolve_config
from ganforge.errors import ConfigError
from ganforge.losses import get_loss
from ganforge.training.augment import DiffAugment, cutout, translate
from ganforge.training.regularizers import plan_stabilisers


def test_translation_shifts_whole_images_and_fills_with_zero():
    torch.manual_seed(0)
    x = torch.rand(64, 3, 16, 16) + 1.0  # every pixel >= 1: a filled pixel is exactly 0
    out = translate(x)
    assert out.shape == x.shape
    found = set()
    for i in range(len(x)):
        match = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                 if torch.equal(out[i], _shifted(x[i], dy, dx))]
        assert len(match) == 1, i
        found.add(match[0])
    assert len(found) > 5  # the shifts vary between images


def _shifted(img, dy, dx):
    """img shifted so that out[y, x] = img[y + dy, x + dx], zeros outside."""
    c, h, w = img.shape
    out = torch.zeros_like(img)
    ys, xs = slice(max(0, -dy), min(h, h - dy)), slice(max(0, -dx), min(w, w - dx))
    yt, xt = slice(max(0, dy), min(h, h + dy)), slice(max(0, dx), min(w, w + dx))
    out[:, ys, xs] = img[:, yt, xt]
    return out


def test_cutout_zeroes_one_square_and_keeps_colours_elsewhere():
    torch.manual_seed(1)
    x = torch.rand(32, 3, 16, 16) + 1.0
    out = cutout(x)
    zero = out == 0
    assert torch.equal(zero[:, 0], zero[:, 1]) and torch.equal(zero[:, 0], zero[:, 2])
    kept = ~zero
    assert torch.equal(out[kept], x[kept])  # no colour changes
    for i in range(len(x)):
        rows, cols = zero[i, 0].any(1), zero[i, 0].any(0)
        assert int(zero[i, 0].sum()) == int(rows.sum()) * int(cols.sum())  # a rectangle
        assert rows.sum() <= 8 and cols.sum() <= 8


def test_augmentation_is_differentiable():
    x = torch.randn(4, 1, 28, 28, requires_grad=True)
    DiffAugment(("translation", "cutout"))(x).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert set(x.grad.unique().tolist()) <= {0.0, 1.0}


def test_policy_from_config():
    assert DiffAugment.from_policy("none") is None
    assert DiffAugment.from_policy("translation,cutout").names == ("translation", "cutout")
    plan = plan_stabilisers(get_loss("non-saturating"), LossConfig(augment="cutout"), 1)
    assert plan.augment == DiffAugment(("cutout",))
    with pytest.raises(ConfigError, match="augment"):
        resolve_config("dcgan-mnist", overrides={"augment": "colour"})
