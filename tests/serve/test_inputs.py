"""The caption input of a text-to-image model behind the server: the encoder is loaded once,
at start-up; requests are repeatable, read-only and safe to run side by side."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import torch

from ganforge.errors import CheckpointError
from ganforge.sampling.generator import load_generator
from ganforge.serve.inputs import CaptionInput
from ganforge.serve.service import RequestError, Service
from ganforge.text import encoders


class Counting:
    """Wraps an encoder, counting the encoders built and the captions encoded."""

    built = 0

    def __init__(self, inner):
        Counting.built += 1
        self.name = inner.name
        self.inner = inner
        self.captions: list[str] = []

    def encode(self, captions):
        self.captions.extend(captions)
        return self.inner.encode(captions)


def test_the_encoder_is_built_and_run_once_at_start_up(text_run, text_service, monkeypatch):
    minilm = encoders.get_encoder("minilm")
    assert minilm._model is not None  # loaded by the package's service, before any request
    Counting.built = 0
    monkeypatch.setitem(encoders.ENCODERS, "minilm", lambda: Counting(minilm))
    monkeypatch.delitem(encoders._LOADED, "minilm")
    loaded = load_generator(text_run)
    service = Service(loaded, CaptionInput(loaded))
    counting = encoders.get_encoder("minilm")
    assert Counting.built == 1 and len(counting.captions) == 1  # the start-up check
    service.generate(2, 0, "a red flower")
    service.generate(2, 0, "a red flower", "a white flower", 0.5)
    assert Counting.built == 1
    assert counting.captions[1:] == ["a red flower", "a red flower", "a white flower"]


def test_an_encoder_of_another_size_stops_the_start(text_run, monkeypatch):
    monkeypatch.setitem(encoders.ENCODERS, "minilm", encoders.HashingEncoder)
    monkeypatch.delitem(encoders._LOADED, "minilm")
    with pytest.raises(CheckpointError, match="gives 64-d vectors, the model reads 384"):
        CaptionInput(load_generator(text_run))


def test_outputs_are_inference_tensors_in_range(text_service):
    images = text_service.generate(3, seed=0, caption="a red flower")
    assert images.shape == (3, 3, 64, 64) and images.is_inference()
    assert images.abs().max() <= 1.0


def test_errors_name_the_field(text_service):
    with pytest.raises(RequestError, match="^caption_to: the caption is empty"):
        text_service.generate(1, 0, "a red flower", " ", 0.5)
    with pytest.raises(RequestError, match="^caption: this model is text-conditioned"):
        text_service.interpolate(1, 0, 1, 0.5)


def test_concurrent_requests_give_the_sequential_answers(text_service):
    captions = ["a red flower", "a white flower", "this flower has yellow petals",
                "the petals are red and round"]
    jobs = [(1 + i % 3, i, captions[i % 4], captions[(i + 1) % 4] if i % 2 else None,
             i / 15 if i % 2 else None) for i in range(16)]
    expected = [text_service.generate(*job) for job in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda job: text_service.generate(*job), jobs))
    assert all(torch.equal(x, y) for x, y in zip(expected, got, strict=True))


def test_a_checkpoint_naming_an_untrusted_encoder_folder_is_not_served(text_run, tmp_path):
    import json
    import shutil

    from ganforge.serve.assembly import load_service

    run = tmp_path / "run"
    shutil.copytree(text_run, run)
    for meta_path in (run / "checkpoints").glob("*.json"):
        meta = json.loads(meta_path.read_text())
        meta["config"]["model"]["text_encoder"] = str(tmp_path)
        meta_path.write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="is not a built-in one.*--text-encoder-dir"):
        load_service(run)
    with pytest.raises(encoders.ConfigError, match="holds no safetensors weights"):
        load_service(run, [tmp_path])  # trusted, but it holds no safetensors weights
