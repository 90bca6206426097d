"""`ganforge generate` starts fast: a caption seen before loads no encoder (its vector is in
the on-disk caption cache, exact), a pretrained generator's tensor file is hashed once per
load, and the shapes check builds the networks on the meta device without filling them."""

from __future__ import annotations

import torch

from ganforge.text.cache import caption_path, encode_each_cached


def test_a_cached_caption_needs_no_encoder_and_gives_the_same_vector(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls = []

    def encode(captions):
        calls.append(list(captions))
        return torch.randn(len(captions), 5, dtype=torch.float64)  # any float: stored float32

    first = encode_each_cached("enc", ["a red flower", "a blue flower"], encode)
    assert calls == [["a red flower"], ["a blue flower"]]  # each alone: batch-independent
    again = encode_each_cached("enc", ["a blue flower", "a red flower"], encode)
    assert len(calls) == 2 and again.dtype == torch.float32
    assert torch.equal(again, first.flip(0))
    assert caption_path("enc", "a red flower") != caption_path("other", "a red flower")
    encode_each_cached("other", ["a red flower"], encode)
    assert len(calls) == 3  # another encoder: another key


def test_an_unreadable_cache_entry_is_encoded_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = caption_path("enc", "x")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a tensor file")
    vector = encode_each_cached("enc", ["x"], lambda c: torch.ones(1, 3))
    assert torch.equal(vector, torch.ones(1, 3))
    assert torch.equal(encode_each_cached("enc", ["x"], lambda c: 1 / 0), torch.ones(1, 3))


def test_a_pretrained_generator_is_hashed_once_per_load(monkeypatch):
    import ganforge.pretrained.store as store
    import ganforge.runs.checkpoint as checkpoint
    from ganforge.pretrained.store import resolve_source
    from ganforge.sampling.generator import load_generator, load_pretrained

    hashed = []
    for module in (store, checkpoint):
        real = module.sha256_file
        monkeypatch.setattr(module, "sha256_file",
                            lambda path, real=real: hashed.append(path) or real(path))
    load_pretrained("dcgan-mnist")
    assert len(hashed) == 1
    load_generator(resolve_source(None, "dcgan-mnist", "sample"))
    load_generator("dcgan-mnist")
    assert len(hashed) == 3


def test_the_shapes_check_leaves_meta_tensors_unfilled_and_right():
    import json

    from ganforge.models import build_models
    from ganforge.pretrained.store import entry_path
    from ganforge.runs.checkpoint import saved_config
    from ganforge.runs.checkpoint_check import expected_shapes

    path = entry_path("t2i-synthetic-flowers")
    config = saved_config(json.loads(path.read_text()), path)
    shapes = expected_shapes(config, "x")
    generator, _ = build_models(config.model)
    for name, tensor in generator.state_dict().items():
        assert shapes[f"generator.{name}"] == tuple(tensor.shape)
