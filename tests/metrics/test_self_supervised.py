"""The self-supervised evaluator's recipe (metrics.self_supervised): the damages its second
objective names, a fitted encoder that puts noise outside the real images' manifold, the
recipe stored in the record and a record of the older recipe refused in one line."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from ganforge.data.dataset import ImageData
from ganforge.errors import CheckpointError
from ganforge.metrics.evaluator_fit import features_of, fit_on
from ganforge.metrics.fitted import load_fitted, write_fitted
from ganforge.metrics.precision_recall import precision_recall
from ganforge.metrics.self_supervised import (
    DAMAGES,
    RECIPE,
    blur,
    damage,
    damage_head,
    shuffle_tiles,
    view_loss,
)


def blossoms(n: int, seed: int, size: int = 32) -> ImageData:
    """A disc of one of six colours with a centre of another, of varying radius and place,
    on a blotchy green background: no classes, no captions."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    palette = np.array([[220, 30, 30], [240, 200, 40], [130, 50, 200], [250, 250, 250],
                        [240, 120, 20], [60, 90, 230]], dtype=np.float32)
    out = np.empty((n, 3, size, size), dtype=np.uint8)
    for i in range(n):
        blotch = rng.normal(0, 1, (size // 8, size // 8)).repeat(8, 0).repeat(8, 1)
        green = np.stack([40 + 10 * blotch, 110 + 25 * blotch, 40 + 10 * blotch], -1)
        cy, cx = size / 2 + rng.uniform(-3, 3, 2)
        r = (yy - cy) ** 2 + (xx - cx) ** 2
        petals, centre = palette[rng.integers(6)], palette[rng.integers(6)]
        radius = rng.uniform(0.25, 0.4) * size
        image = np.where((r < radius ** 2)[..., None], petals, green)
        image = np.where((r < (radius / 3) ** 2)[..., None], centre, image)
        out[i] = np.clip(image, 0, 255).astype(np.uint8).transpose(2, 0, 1)
    return ImageData(torch.from_numpy(out), torch.zeros(n, dtype=torch.int64), (), "blossoms")


def test_tiles_are_the_image_s_own_pixels_in_another_order():
    torch.manual_seed(0)
    x = torch.rand(3, 2, 30, 30)  # 30 = 4 tiles of 7 and a remainder of 2
    y = shuffle_tiles(x, 4)
    assert y.shape == x.shape and not torch.equal(x, y)
    for i in range(3):
        assert torch.equal(x[i].flatten().sort().values, y[i].flatten().sort().values)
    assert torch.equal(x[:, :, 28:], y[:, :, 28:]) and torch.equal(x[:, :, :, 28:],
                                                                    y[:, :, :, 28:])
    tiles = {tuple(x[0, :, 7 * a : 7 * a + 7, 7 * b : 7 * b + 7].flatten().tolist())
             for a in range(4) for b in range(4)}
    assert {tuple(y[0, :, 7 * a : 7 * a + 7, 7 * b : 7 * b + 7].flatten().tolist())
            for a in range(4) for b in range(4)} == tiles


def test_each_damage_does_what_it_says():
    torch.manual_seed(1)
    x = torch.rand(64, 3, 16, 16) * 2 - 1
    y, label = damage(x)
    assert y.shape == x.shape and set(label.tolist()) == set(range(len(DAMAGES)))
    same = (y - x).flatten(1).abs().amax(1) == 0
    assert torch.equal(same, label == 0)  # only "none" leaves an image as it was
    assert torch.allclose(blur(x).mean((2, 3)), x.mean((2, 3)), atol=0.05)  # colours kept
    assert blur(x).std() < 0.5 * x.std()


def test_the_loss_with_the_damage_head_is_finite_and_reaches_the_head():
    train = blossoms(8, 0)
    model = fit_on(blossoms(64, 0), blossoms(10, 1), "self-supervised", epochs=1, seed=0,
                   log=lambda _: None).model.train()
    head = damage_head(model)
    x = train.images.float() / 127.5 - 1
    loss = view_loss(model, x, head)
    loss.backward()
    assert torch.isfinite(loss) and head.weight.grad is not None
    assert float(head.weight.grad.abs().sum()) > 0


def test_noise_falls_outside_the_real_images_a_fitted_encoder_sees():
    train, test = blossoms(256, 0), blossoms(64, 1)
    fitted = fit_on(train, test, "self-supervised", epochs=8, seed=0, log=lambda _: None)
    model = fitted.model
    real = features_of(model, train.images[:256])
    held_out = precision_recall(features_of(model, test.images), real).precision
    noise = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (64, 3, 32, 32),
                                                               dtype=np.uint8))
    noisy = precision_recall(features_of(model, noise), real).precision
    assert held_out > 0.8
    # on the synthetic flowers recipe 1 (views only) put noise inside (precision 1.000); on
    # these toy images it keeps noise out too: the flowers' figure is docs/evaluation.md's
    assert noisy < 0.2


def test_the_record_holds_the_recipe_and_an_older_one_is_refused(tmp_path):
    fitted = fit_on(blossoms(64, 0), blossoms(10, 1), "self-supervised", epochs=1, seed=0,
                    log=lambda _: None)
    keys = set(fitted.model.state_dict())
    assert not any("damage" in k for k in keys)  # the head is not stored
    write_fitted(fitted.model, tmp_path, {"kind": "self-supervised",
                                          "command": "ganforge evaluator fit X"})
    model, record = load_fitted(tmp_path / "self-supervised.json")
    assert record["recipe"] == RECIPE and set(model.state_dict()) == keys
    path = tmp_path / "self-supervised.json"
    old = json.loads(path.read_text())
    del old["recipe"]  # as ganforge wrote them before the recipe was stored
    path.write_text(json.dumps(old))
    with pytest.raises(CheckpointError, match=r"^[^\n]*recipe 1; .*fit it again: ganforge "
                                              r"evaluator fit X$"):
        load_fitted(path)
