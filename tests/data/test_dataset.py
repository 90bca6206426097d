"""Tests for ganforge.data.dataset: loading splits into memory and the checks made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from ganforge.data import ImageData, load_dataset, write_idx
from ganforge.errors import DataError


def test_load_train(tiny: Any, tmp_path: Path) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    data = load_dataset("tiny", "train", data_dir=tmp_path / "d")
    assert data.images.dtype == torch.uint8 and data.images.shape == (12, 1, 5, 5)
    assert data.images.is_contiguous()
    assert data.labels.dtype == torch.int64 and data.labels.shape == (12,)
    np.testing.assert_array_equal(data.images[:, 0].numpy(), tiny.arrays["train_images"])
    np.testing.assert_array_equal(data.labels.numpy(), tiny.arrays["train_labels"])
    assert (len(data), data.channels, data.size, data.num_classes) == (12, 1, 5, 3)
    assert data.classes == ("a", "b", "c") and data.name == "tiny"


def test_load_test_split_raw_files_with_limit(tiny: Any, tmp_path: Path) -> None:
    tiny.write(tmp_path / "d", compress=False)
    data = load_dataset("tiny", "test", data_dir=tmp_path / "d", limit=3)
    assert data.images.shape == (3, 1, 5, 5)
    assert data.labels.tolist() == [0, 1, 2]
    assert len(load_dataset("tiny", "test", data_dir=tmp_path / "d", limit=99)) == 4
    assert len(load_dataset("tiny", "test", data_dir=tmp_path / "d", limit=0)) == 0


def test_bad_arguments(tiny: Any, tmp_path: Path) -> None:
    tiny.write(tmp_path / "d")
    with pytest.raises(DataError, match="unknown split 'valid'"):
        load_dataset("tiny", "valid", data_dir=tmp_path / "d")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="limit must be >= 0"):
        load_dataset("tiny", data_dir=tmp_path / "d", limit=-1)
    with pytest.raises(DataError, match="unknown data set"):
        load_dataset("nope")


def test_checksum_mismatch(tiny: Any, tmp_path: Path) -> None:
    folder = tiny.write(tmp_path / "d")
    altered = tiny.arrays["train_images"].copy()
    altered[0, 0, 0] ^= 1
    write_idx(folder / "train-images-idx3-ubyte.gz", altered)
    with pytest.raises(DataError) as info:
        load_dataset("tiny", data_dir=folder)
    message = str(info.value)
    assert message.startswith(f"{folder / 'train-images-idx3-ubyte.gz'}: checksum mismatch")
    assert f"expected {tiny.spec.train_images.sha256})" in message
    data = load_dataset("tiny", data_dir=folder, verify=False)
    assert data.images[0, 0, 0, 0] == altered[0, 0, 0]


@pytest.mark.parametrize(("role", "array", "fragment"), [
    ("train_labels", np.zeros(11, np.uint8), "11 labels for 12 images"),
    ("train_labels", np.full(12, 3, np.uint8), "labels out of range 0..2"),
    ("train_labels", np.zeros((12, 1), np.uint8), "1-D integer label array"),
    ("train_images", np.zeros((12, 6, 5), np.uint8), "expected uint8 images of shape (N, 5, 5)"),
    ("train_images", np.zeros((12, 5, 5), np.float32), "expected uint8 images"),
])
def test_inconsistent_files(tiny: Any, tmp_path: Path, role: str, array: np.ndarray,
                            fragment: str) -> None:
    folder = tiny.write(tmp_path / "d")
    path = folder / tiny.spec.files()[role].gz_name
    write_idx(path, array)  # a larger file is refused as soon as it passes the registered size
    with pytest.raises(DataError, match="checksum mismatch|more than .* bytes uncompressed"):
        load_dataset("tiny", data_dir=folder)
    with pytest.raises(DataError) as info:
        load_dataset("tiny", data_dir=folder, verify=False)
    assert fragment in str(info.value) and str(folder) in str(info.value)


def test_image_data_validates_layout() -> None:
    with pytest.raises(DataError, match="must be \\(N, C, H, W\\)"):
        ImageData(torch.zeros(2, 5, 5, dtype=torch.uint8), torch.zeros(2), ("a",), "x")
    with pytest.raises(DataError, match="2 images but labels of shape \\(3,\\)"):
        ImageData(torch.zeros(2, 1, 5, 5, dtype=torch.uint8), torch.zeros(3), ("a",), "x")


def test_real_mnist_test_split(real_data_root: Path) -> None:
    data = load_dataset("mnist", "test")
    assert data.images.shape == (10000, 1, 28, 28) and data.images.dtype == torch.uint8
    assert data.labels.dtype == torch.int64
    assert sorted(data.labels.unique().tolist()) == list(range(10))
    assert data.classes == tuple("0123456789") and data.size == 28
    assert 0 < float(data.images.float().mean()) < 255


def test_every_split_answers_what_a_captioned_one_holds(tiny: Any, tmp_path: Path) -> None:
    tiny.write(tmp_path / "d" / "tiny")
    data = load_dataset("tiny", data_dir=tmp_path / "d")
    assert type(data) is ImageData
    assert (data.captions, data.text, data.encoder, data.levels, data.truth) == (None,) * 5
    assert (data.attributes, data.level_counts) == ((), ())
    assert data.model_fields() == {"num_classes": 3}
    encoded = ImageData(data.images[:2], data.labels[:2], data.classes, "x",
                        text=torch.zeros(2, 4, 7), captions=[["a"] * 4] * 2, encoder="e")
    assert encoded.model_fields() == {"num_classes": 3, "text_dim": 7}
