"""The Oxford flowers reader on a fixture in the standard layout, broken ones included."""

from __future__ import annotations

import numpy as np
import pytest

from ganforge.data import load_dataset
from ganforge.data.captioned import flowers
from ganforge.errors import DataError
from tests.captioned_fixtures import LABELS, write_mat


def test_splits_images_labels_and_captions(flowers_root):
    train = load_dataset("flowers102", "train", flowers_root.parent, text_encoder=None)
    test = load_dataset("flowers102", "test", flowers_root.parent, text_encoder=None)
    assert tuple(train.images.shape) == (8, 3, 64, 64) and str(train.images.dtype) == "torch.uint8"
    assert len(test) == 4 and test.channels == 3 and test.size == 64
    assert train.labels.tolist() == [v - 1 for v in LABELS[:8]]  # ids 1..8, labels from 0
    assert len(train.classes) == 102 and train.classes[0] == "pink primrose"
    assert test.labels.tolist() == [2, 0, 1, 2]  # ids 9..12
    assert test.captions[0] == ["this flower has white petals", "a white flower with a stem",
                                "the petals are white and round"]  # blank line gone, spaces tidied
    assert train.text is None and train.model_fields() == {"num_classes": 102}


def test_resize_and_centre_crop_keep_the_colour(flowers_root):
    data = load_dataset("flowers102", "train", flowers_root.parent, limit=3, text_encoder=None)
    red = data.images[0].float().mean((1, 2))  # class 1 photos are red
    assert red[0] > 150 and red[1] < 80 and red[2] < 80
    assert len(data) == 3


def test_images_are_decoded_once_then_read_from_the_cache(flowers_root, monkeypatch):
    first = load_dataset("flowers102", "test", flowers_root.parent, text_encoder=None)

    def refuse(path):
        raise AssertionError(f"decoded {path} again")

    monkeypatch.setattr(flowers, "read_image", refuse)
    again = load_dataset("flowers102", "test", flowers_root.parent, text_encoder=None)
    assert again.images.equal(first.images)


def test_encoded_captions_give_text_vectors(flowers_root, counting_encoder):
    data = load_dataset("flowers102", "train", flowers_root.parent, text_encoder="counting")
    assert tuple(data.text.shape) == (8, 3, 16)
    assert data.model_fields() == {"num_classes": 102, "text_dim": 16}
    assert counting_encoder.calls == [9]  # 3 colours x 3 sentences, each encoded once


def test_check_reports_every_missing_file(flowers_root):
    from ganforge.data import check

    reports = check("flowers102", flowers_root.parent)
    assert [r["role"] for r in reports] == ["labels", "splits", "images", "captions"]
    assert all(r["ok"] for r in reports)
    (flowers_root / "jpg" / "image_00003.jpg").unlink()
    images = check("flowers102", flowers_root.parent)[2]
    assert not images["ok"] and "image_00003.jpg: missing (1 of" in images["error"]


def test_missing_caption_file_is_named(flowers_root):
    path = flowers_root / "text_c10" / "class_00002" / "image_00004.txt"
    path.unlink()
    with pytest.raises(DataError, match=r"image_00004.txt: caption file missing"):
        load_dataset("flowers102", "train", flowers_root.parent, text_encoder=None)


@pytest.mark.parametrize("content, message", [
    (b"\n  \n", "holds no caption"), (b"\xff\xfe\xfa broken", "unreadable caption file")])
def test_broken_caption_files(flowers_root, content, message):
    (flowers_root / "text_c10" / "class_00001" / "image_00001.txt").write_bytes(content)
    with pytest.raises(DataError, match=message):
        load_dataset("flowers102", "train", flowers_root.parent, text_encoder=None)


def test_image_without_a_label(flowers_root):
    write_mat(flowers_root / "imagelabels.mat", labels=LABELS[:10])  # images 11, 12 unlabelled
    with pytest.raises(DataError, match=r"setid.mat: image 11 has no label .*holds 10 labels"):
        load_dataset("flowers102", "test", flowers_root.parent, text_encoder=None)


def test_unreadable_jpeg(flowers_root):
    (flowers_root / "jpg" / "image_00002.jpg").write_bytes(b"not a jpeg at all")
    with pytest.raises(DataError, match=r"image_00002.jpg: unreadable JPEG"):
        load_dataset("flowers102", "train", flowers_root.parent, text_encoder=None)


def test_missing_jpeg_and_damaged_mat(flowers_root):
    (flowers_root / "jpg" / "image_00003.jpg").unlink()
    with pytest.raises(DataError, match=r"image_00003.jpg: image file missing"):
        load_dataset("flowers102", "train", flowers_root.parent, text_encoder=None)
    (flowers_root / "setid.mat").write_bytes(b"MATLAB? no")
    with pytest.raises(DataError, match=r"setid.mat: not a readable MATLAB file"):
        load_dataset("flowers102", "train", flowers_root.parent, text_encoder=None)


def test_not_found_names_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("GANFORGE_DATA", str(tmp_path / "nothing"))
    with pytest.raises(DataError, match=r"'flowers102' not found .*docs/text-to-image.md"):
        load_dataset("flowers102", "train", tmp_path / "empty", text_encoder=None)


def test_the_real_label_and_split_files(real_data_root):
    root = real_data_root / "flowers102-meta"
    labels = flowers.read_labels(root, 102)
    assert len(labels) == 8189 and labels.min() == 1 and labels.max() == 102
    sizes = {s: len(flowers.split_ids(root, s, labels)) for s in ("train", "test")}
    assert sizes == {"train": 1020 + 6149, "test": 1020}
    test_classes = np.bincount(labels[flowers.split_ids(root, "test", labels) - 1])
    assert set(test_classes[1:].tolist()) == {10}  # 10 held-out images of every class


def test_a_captioned_split_is_an_image_data(flowers_root):
    from ganforge.data import ImageData

    data = load_dataset("flowers102", "test", flowers_root.parent, text_encoder=None)
    assert type(data) is ImageData and data.captions and data.levels is None
