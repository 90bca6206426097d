"""A text batch's draws from the caption stream (the caption of each image, its wrong
caption, the recombined captions) reach the device without a host wait, and are the same
draws as ever: the values below were recorded from the batch source before its copies went
through pinned memory, so a run's figures do not move."""

import numpy as np
import torch

from ganforge.training import batch as batch_module
from ganforge.training.batch import BatchSource
from ganforge.training.wrong_captions import WrongCaptions

N, K, A = 12, 3, 2
# per batch of four: (caption of each image, wrong caption, recombined caption), each as
# the number the source's made-up vectors carry (10 * image + caption; 100 + row)
RECORDED = [([10, 41, 61, 82], [71, 70, 30, 111], [104, 102, 101, 102]),
            ([111, 2, 52, 32], [50, 91, 111, 90], [103, 100, 100, 100]),
            ([22, 90, 100, 72], [80, 32, 10, 11], [102, 100, 101, 102])]


def _source() -> BatchSource:
    labels = torch.tensor([0, 1, 2] * 4)
    text = (10 * torch.arange(N)[:, None] + torch.arange(K)).float()[..., None]
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, size=(N, 1, A))
    levels = np.where(rng.random((N, K, A)) < 0.5, truth, -1).astype(np.int8)
    recombined = (100 + torch.arange(5).float()[:, None], torch.zeros(5, A, dtype=torch.long))
    return BatchSource(torch.zeros(N, 1, 2, 2, dtype=torch.uint8), labels, text,
                       torch.Generator().manual_seed(7), WrongCaptions.build(labels, K, levels),
                       "text", torch.from_numpy(levels.astype("int64")), None, recombined)


def _numbers(batch) -> tuple[list[int], list[int], list[int]]:
    return (batch.cond[:, 0].int().tolist(), batch.wrong_cond[:, 0].int().tolist(),
            batch.recombined[:, 0].int().tolist())


def _order() -> torch.Tensor:
    return torch.randperm(N, generator=torch.Generator().manual_seed(1))


def test_the_caption_draws_are_the_recorded_ones_with_and_without_host_indices():
    order = _order()
    plain, both = _source(), _source()
    for b, expected in enumerate(RECORDED):
        cut = order[4 * b : 4 * b + 4]
        assert _numbers(plain.batch(cut)) == expected
        assert _numbers(both.batch(cut, cut.clone())) == expected


def test_cpu_draws_go_through_pinned_copies_and_wrong_captions_read_host_indices(monkeypatch):
    moved, drawn_from = [], []
    real_move, real_draw = batch_module.to_device, WrongCaptions.draw

    def move(tensor, device):
        moved.append((tensor.device.type, device))
        return real_move(tensor, device)

    def draw(self, indices, generator):
        drawn_from.append(indices)
        return real_draw(self, indices, generator)

    monkeypatch.setattr(batch_module, "to_device", move)
    monkeypatch.setattr(WrongCaptions, "draw", draw)
    cut = _order()[:4]
    host = cut.clone()
    _source().batch(cut, host)
    # the caption choice, the wrong rows and caption numbers, the recombined rows
    assert len(moved) == 4 and all(kind == "cpu" for kind, _ in moved)
    assert len(drawn_from) == 1 and drawn_from[0] is host  # not the device's indices
