"""`ganforge evaluator fit`: each kind fitted end to end on tiny in-memory data, stored and
loaded again, reproducible from its seed; data too small refused in one line."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

import ganforge.data
from ganforge.cli import main
from ganforge.data.dataset import ImageData
from ganforge.errors import CheckpointError, DataError
from ganforge.metrics.evaluator_fit import fit_on, kind_for
from ganforge.metrics.fitted import data_key, evaluator_path_for, find_fitted, load_fitted
from ganforge.text.encoders import HashingEncoder


def toy(n, seed, captions=True, classes=3, size=28):
    """Bars at one of `classes` heights; captions name the height."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(classes, (n,), generator=g)
    images = torch.zeros(n, 1, size, size, dtype=torch.uint8)
    for i, c in enumerate(labels.tolist()):
        images[i, :, 4 + 7 * c : 10 + 7 * c, 4:24] = 255
    caps = [[f"a bar at height {c}", f"height {c}"] for c in labels.tolist()] \
        if captions else None
    text = None if caps is None else \
        HashingEncoder().encode([c for row in caps for c in row]).view(n, 2, -1)
    names = tuple("abcdef"[:classes]) if classes > 1 else ()
    return ImageData(images, labels if classes > 1 else torch.zeros(n, dtype=torch.int64),
                     names, "toy", text=text, captions=caps, encoder="hashing")


def test_the_kind_follows_what_the_data_has():
    assert kind_for(toy(8, 0)) == "contrastive"
    assert kind_for(toy(8, 0, captions=False)) == "classifier"
    assert kind_for(toy(8, 0, captions=False, classes=1)) == "self-supervised"


@pytest.mark.parametrize("kind", ["contrastive", "classifier", "self-supervised"])
def test_each_kind_fits_and_is_reproducible(kind):
    train = toy(96, 0, captions=kind == "contrastive", classes=1 if kind == "self-supervised"
                else 3)
    test = toy(40, 1, captions=kind == "contrastive")
    lines = []
    epochs = 12 if kind == "classifier" else 2  # 96 images: one step an epoch
    a = fit_on(train, test, kind, epochs=epochs, seed=5, log=lines.append)
    b = fit_on(train, test, kind, epochs=epochs, seed=5, log=lambda _: None)
    assert len(lines) == epochs and f"epoch {epochs}/{epochs}" in lines[-1]  # progress
    for (name, x), y in zip(a.model.state_dict().items(), b.model.state_dict().values(),
                            strict=True):
        assert torch.equal(x, y), name
    assert a.figures == b.figures
    assert a.figures["fd_test_vs_train"] >= 0 and a.figures["fd_test_images"] == 40
    if kind == "contrastive":
        rp = a.figures["r_precision"]
        assert 0 <= rp["r_precision"] <= 1 and rp["n"] == 40 and rp["candidates"] >= 2
        assert -1 <= a.figures["caption_similarity"] <= 1
    if kind == "classifier":
        assert a.figures["test_accuracy"] > 0.6  # bars at three heights (chance 1/3)
    c = fit_on(train, test, kind, epochs=epochs, seed=6, log=lambda _: None)
    first = "body.0.0.weight"
    assert not torch.equal(c.model.state_dict()[first], a.model.state_dict()[first])


def test_too_small_is_refused_in_one_line():
    with pytest.raises(DataError, match=r"^toy: 20 training and 40 test images; fitting an "
                                        r"evaluator needs at least 64 and 10$"):
        fit_on(toy(20, 0), toy(40, 1), name="toy")
    with pytest.raises(DataError, match="needs captions"):
        fit_on(toy(96, 0, captions=False), toy(40, 1, captions=False), "contrastive")


@pytest.fixture
def toy_data_set(monkeypatch, tmp_path):
    """`load_dataset("toy-set", split)` gives the toy splits; the user cache in tmp_path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    splits = {"train": toy(96, 0), "test": toy(40, 1)}

    def load(name, split, data_dir=None, text_encoder=None, **_):
        if name != "toy-set":
            raise DataError(f"unknown data set {name!r}")
        return splits[split]

    monkeypatch.setattr(ganforge.data, "load_dataset", load)
    return splits


def test_cli_fit_stores_where_evaluate_finds_it(toy_data_set, tmp_path, capsys):
    assert main(["evaluator", "fit", "toy-set", "--epochs", "1", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "R@1 among" in out and "FD test vs train" in out and "written to" in out
    key = data_key("toy-set")  # not a built-in name: the path it would be, absolute
    assert Path(key).is_absolute()
    path = find_fitted(key)
    assert path == evaluator_path_for(key) / "contrastive.json"
    model, record = load_fitted(path)
    assert record["kind"] == "contrastive" and record["seed"] == 3
    assert record["command"] == ("ganforge evaluator fit toy-set --kind contrastive --epochs 1 "
                                 "--seed 3 --text-encoder hashing")
    assert model.embed_text(torch.zeros(2, toy_data_set["train"].text.shape[-1])).shape == \
        (2, 128)
    # an altered tensor file is refused
    tensors = path.with_suffix(".safetensors")
    tensors.write_bytes(tensors.read_bytes()[:-1] + b"\0")
    with pytest.raises(CheckpointError, match="SHA-256 mismatch"):
        load_fitted(path)


def test_cli_fit_out_and_kind(toy_data_set, tmp_path):
    out = tmp_path / "ev"
    assert main(["evaluator", "fit", "toy-set", "--kind", "classifier", "--epochs", "1",
                 "--out", str(out)]) == 0
    record = json.loads((out / "classifier.json").read_text())
    assert record["figures"]["test_accuracy"] >= 0 and record["classes"] == ["a", "b", "c"]
    assert find_fitted("anything", folder=out) == out / "classifier.json"


def test_cli_fit_refuses_too_small_data_in_one_line(monkeypatch, capsys):
    monkeypatch.setattr(ganforge.data, "load_dataset",
                        lambda name, split, *a, **k: toy(30 if split == "train" else 5, 0))
    assert main(["evaluator", "fit", "tiny", "--epochs", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "fitting an evaluator needs at least 64 and 10" in err


def test_the_floor_is_small_for_one_distribution_and_large_for_another():
    train, test = toy(96, 0, captions=False), toy(40, 1, captions=False)
    fitted = fit_on(train, test, "classifier", epochs=4, seed=0, log=lambda _: None)
    from ganforge.metrics.evaluator_fit import features_of
    from ganforge.metrics.frechet import frechet_distance_of_features

    noise = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (40, 1, 28, 28),
                                                               dtype=np.uint8))
    far = frechet_distance_of_features(features_of(fitted.model, noise),
                                       features_of(fitted.model, train.images))
    assert far > 5 * fitted.figures["fd_test_vs_train"]


def test_mixed_captions_are_the_scaled_mean_and_match_their_image_only():
    from ganforge.metrics.evaluator_fit import caption_batch

    text = torch.tensor([[[1.0, 0.0], [0.0, 1.0]], [[2.0, 0.0], [2.0, 0.0]]])  # (2, 2, 2)
    ids = torch.tensor([[0, 1], [2, 2]])
    seen_mixed = False
    for seed in range(20):
        vectors, chosen = caption_batch(text, ids, torch.tensor([0, 1]),
                                        torch.Generator().manual_seed(seed))
        if chosen[0] < 0:  # image 0 mixed its two captions: the mean, at length 1
            seen_mixed = True
            assert torch.allclose(vectors[0], torch.tensor([1.0, 1.0]) / 2 ** 0.5)
        else:
            assert chosen[0] in (0, 1) and torch.equal(vectors[0], text[0, int(chosen[0])])
        assert chosen[1] == 2 and torch.equal(vectors[1], torch.tensor([2.0, 0.0]))
    assert seen_mixed
