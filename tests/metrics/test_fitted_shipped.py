"""The image-text encoders shipped for the built-in captioned sets: found when the user has
fitted none, checked by SHA-256, recorded with the command that reproduces them and their
figures on the test split."""

import pytest

from ganforge.metrics.fitted import find_fitted, load_fitted, shipped_stem

SHIPPED = {"synthetic-flowers": 0.3, "fashion-mnist-captions": 0.3, "mnist-captions": 0.3}
# (R@1 among 100 of real test images, at least)


@pytest.mark.parametrize("name", list(SHIPPED))
def test_the_shipped_image_text_encoder(name, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # no fitted one of the user's
    path = find_fitted(name, ("contrastive",))
    assert path == shipped_stem(name, "contrastive").with_suffix(".json")
    model, record = load_fitted(path)  # the SHA-256 checked
    assert record["command"].startswith(f"ganforge evaluator fit {name} --kind contrastive ")
    assert record["text_encoder"] == "minilm" and record["data"] == name
    rp = record["figures"]["r_precision"]
    assert rp["candidates"] == 100 and rp["r_precision"] >= SHIPPED[name]
    assert record["figures"]["fd_test_vs_train"] >= 0
    assert model.config.text_dim == 384
