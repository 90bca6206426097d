"""The one held-out caption picker: the training grid's fixed captions and the evaluation's
captions, the same for a seed as they always were."""

import torch

from ganforge.config import resolve_config
from ganforge.data.captioned.held_out import evaluation_captions, fixed_captions


def _config(flowers_root):
    return resolve_config("t2i-flowers", overrides={
        "data_dir": str(flowers_root.parent), "text_encoder": "hashing"})


def test_fixed_captions_take_the_classes_in_turn_as_before(flowers_root):
    fixed = fixed_captions(_config(flowers_root), 5, 3)
    assert fixed.captions == [  # what the grid of seed 3 has always shown
        "a yellow flower with a stem", "a white flower with a stem",
        "the petals are red and round", "the petals are yellow and round",
        "a white flower with a stem"]
    assert fixed.text.shape == (5, 64) and fixed.text.dtype == torch.float32
    assert torch.equal(fixed.text[1], fixed.text[4])  # the same caption, the same vector
    assert [e["image"] for e in fixed.entries()][:2] == ["samples/captions_000.png",
                                                         "samples/captions_001.png"]


def test_evaluation_captions_are_one_of_every_test_image_as_before(flowers_root):
    held = evaluation_captions(_config(flowers_root), 7)
    assert held.captions == [  # what `ganforge evaluate --seed 7` has always drawn from
        "the petals are white and round", "the petals are yellow and round",
        "a red flower with a stem", "the petals are white and round"]
    assert held.labels.tolist() == [2, 1, 0, 2]
    assert held.text.shape == (4, 64) and held.images.shape == (4, 3, 64, 64)
    assert held.levels is None  # the flowers' human captions state no measured levels
