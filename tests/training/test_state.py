import json

import pytest
import torch
from safetensors.torch import load_file

from ganforge.errors import CheckpointError
from ganforge.training.state import restore_state, save_state


class Counter:
    """A minimal Stateful: one tensor, one JSON value."""

    def __init__(self, value=0):
        self.weights, self.value = torch.full((3,), float(value)), value

    def state_dict(self):
        return {"tensors": {"w": self.weights}, "meta": {"value": self.value}}

    def load_state_dict(self, state):
        self.weights, self.value = state["tensors"]["w"], state["meta"]["value"]


def test_state_goes_to_a_checkpoint_and_back(tmp_path):
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    path = save_state(Counter(7), folder, "step_0000007")
    assert json.loads(path.read_text())["value"] == 7
    meta, tensors = json.loads(path.read_text()), load_file(path.with_suffix(".safetensors"))
    back = Counter()
    restore_state(back, meta, tensors, path)
    assert back.value == 7 and back.weights.tolist() == [7.0, 7.0, 7.0]


def test_keep_prunes_the_oldest_step_checkpoints(tmp_path):
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    for step in range(1, 4):
        save_state(Counter(step), folder, f"step_{step:07d}", keep=2)
    save_state(Counter(9), folder, "final")  # named: never pruned, prunes nothing
    assert sorted(p.name for p in folder.glob("*.json")) == [
        "final.json", "step_0000002.json", "step_0000003.json"]


def test_a_state_that_does_not_fit_is_one_line(tmp_path):
    with pytest.raises(CheckpointError, match=r"x\.json: does not fit this run \('w'\)"):
        restore_state(Counter(), {"value": 1}, {}, tmp_path / "x.json")
