"""Preparing a folder once: the array and manifest, the cache and when it is made again,
skipped files counted by reason, the user's folder only read."""

from __future__ import annotations

import hashlib
import os
import time

import numpy as np
import pytest

from ganforge.data.folder.prepare import (
    PrepareOptions,
    folders_root,
    prepare,
    prepared_folders,
)
from ganforge.errors import DataError
from tests.data.folder.conftest import draw, make_folder


def _tree(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file()}


def test_prepared_array_and_manifest(folder):
    before = _tree(folder)
    p = prepare(folder, PrepareOptions(image_size=24), show=False)
    m = p.manifest
    assert p.images.shape == (40, 3, 24, 24) and p.images.dtype == np.uint8
    assert m["classes"] == ["cat", "dog"] and m["captioned"] and m["channels"] == 3
    assert m["counts"] == {"train": 36, "test": 4}
    assert {i["label"] for i in m["items"]} == {0, 1}
    assert all(len(i["captions"]) == 2 for i in m["items"])
    assert sum(m["modes"].values()) == 40 and len(m["modes"]) >= 5
    assert _tree(folder) == before  # only read
    assert p.folder.parent == folders_root()


def test_grey_folder_has_one_channel_unless_forced(tmp_path):
    root = tmp_path / "grey"
    for i in range(4):
        draw(root / f"g{i}", i, mode_ext=("L", ".png"))
    assert prepare(root, PrepareOptions(image_size=16), show=False).images.shape[1] == 1
    forced = prepare(root, PrepareOptions(image_size=16, channels=3), show=False)
    assert forced.images.shape[1] == 3


def test_cache_is_used_and_made_again_when_the_folder_changes(tmp_path):
    folder = make_folder(tmp_path / "plain", 40, ("cat", "dog"))
    options = PrepareOptions(image_size=16)
    first = prepare(folder, options, show=False)
    again = prepare(folder, options, show=False)
    assert again.folder == first.folder and np.array_equal(again.images, first.images)
    draw(folder / "cat" / "new", 999)  # added
    added = prepare(folder, options, show=False)
    assert added.folder != first.folder and len(added.images) == 41
    (folder / "cat" / "new.png").unlink()  # removed
    assert prepare(folder, options, show=False).folder == first.folder
    later = time.time_ns() + 10**9
    os.utime(folder / "dog" / "img0001.jpg", ns=(later, later))  # touched
    assert prepare(folder, options, show=False).folder != first.folder
    assert prepare(folder, PrepareOptions(image_size=20), show=False).folder != first.folder


def test_an_earlier_state_of_the_folder_leaves_the_cache(tmp_path):
    folder = make_folder(tmp_path / "grows", 20)
    first = prepare(folder, PrepareOptions(image_size=16), show=False)
    other_size = prepare(folder, PrepareOptions(image_size=20), show=False)
    draw(folder / "new", 999)
    added = prepare(folder, PrepareOptions(image_size=16), show=False)
    assert not first.folder.exists() and added.folder.exists() and other_size.folder.exists()
    entries = [m["entry"] for m in prepared_folders() if m["source"] == str(folder.resolve())]
    assert sorted(entries) == sorted([str(added.folder), str(other_size.folder)])


def test_unchanged_folder_loads_from_the_cache_quickly(folder):
    prepare(folder, PrepareOptions(image_size=16), show=False)
    start = time.perf_counter()
    prepare(folder, PrepareOptions(image_size=16), show=False)
    assert time.perf_counter() - start < 2.0


def test_damaged_cache_is_prepared_again(folder):
    p = prepare(folder, PrepareOptions(image_size=16), show=False)
    (p.folder / "images.npy").write_bytes(b"garbage")
    assert prepare(folder, PrepareOptions(image_size=16), show=False).images.shape[0] == 40


def test_bad_files_are_skipped_and_counted(folder):
    (folder / "cat" / "empty.png").write_bytes(b"")
    (folder / "cat" / "text.jpg").write_text("not an image")
    whole = (folder / "cat" / "img0000.png").read_bytes()
    (folder / "cat" / "cut.png").write_bytes(whole[: len(whole) // 2])
    rows = [line for line in (folder / "metadata.jsonl").read_text().splitlines()]
    rows += [f'{{"file_name": "cat/{n}", "text": "x"}}' for n in ("empty.png", "text.jpg",
                                                                  "cut.png")]
    (folder / "metadata.jsonl").write_text("\n".join(rows) + "\n")
    m = prepare(folder, PrepareOptions(image_size=16), show=False).manifest
    reasons = {s["name"]: s["reason"] for s in m["skipped"]}
    assert reasons["cat/empty.png"] == "empty file" or "not an image" in reasons["cat/empty.png"]
    assert reasons["cat/text.jpg"] == "not an image"
    assert "truncated or corrupt" in reasons["cat/cut.png"]
    assert len(m["items"]) == 40


def test_too_few_usable_images_is_one_line(tmp_path):
    root = tmp_path / "few"
    root.mkdir()
    (root / "a.png").write_text("not an image")
    draw(root / "b", 1)
    with pytest.raises(DataError, match=r"1 usable image\(s\), at least 2 needed"):
        prepare(root, PrepareOptions(image_size=16), show=False)


def test_pool_and_single_process_give_the_same_array(tmp_path, monkeypatch):
    from ganforge.data.folder import prepare as module

    root = make_folder(tmp_path / "many", 70)
    pooled = prepare(root, PrepareOptions(image_size=16), show=False)
    monkeypatch.setattr(module, "POOL_FROM", 10**6)
    single = prepare(root, PrepareOptions(image_size=16, test_fraction=0.2), show=False)
    assert np.array_equal(pooled.images, single.images)


def test_prepared_folders_are_listed(folder):
    prepare(folder, PrepareOptions(image_size=16), show=False)
    listed = prepared_folders()
    assert [m["source"] for m in listed] == [str(folder.resolve())]


@pytest.mark.parametrize("bad", [dict(image_size=4), dict(channels=2),
                                 dict(test_fraction=0.9)])
def test_options_are_checked(bad):
    with pytest.raises(DataError):
        PrepareOptions(**bad)


@pytest.mark.parametrize("change", ["moved away", "moved and back"])
def test_a_folder_that_changes_while_it_is_prepared_is_refused_and_not_cached(
        tmp_path, monkeypatch, change):
    """Files that vanish while being read leave neither the folder before nor after: that
    preparation must not be cached and served again once the folder is whole."""
    import ganforge.data.folder.prepare as prepare_module

    folder = make_folder(tmp_path / "pets", 20, ("cat", "dog"))
    options, real_run = PrepareOptions(image_size=16), prepare_module._run

    def run_while_moving(named, count, show):
        (folder / "cat").rename(tmp_path / "cat-away")
        try:
            return real_run(named, count, show)
        finally:
            if change == "moved and back":
                (tmp_path / "cat-away").rename(folder / "cat")

    monkeypatch.setattr(prepare_module, "_run", run_while_moving)
    with pytest.raises(DataError, match="the folder changed while it was being prepared "
                                        r"\(10 file\(s\) removed while being read\)"):
        prepare(folder, options, show=False)
    monkeypatch.setattr(prepare_module, "_run", real_run)
    if change == "moved away":
        (tmp_path / "cat-away").rename(folder / "cat")
    whole = prepare(folder, options, show=False)
    assert len(whole.images) == 20 and whole.manifest["classes"] == ["cat", "dog"]


def _notes(capsys, folder, *more: str) -> list[str]:
    from ganforge.cli import main

    assert main(["data", "check", str(folder), "--image-size", "16", *more]) == 0
    return [line.strip() for line in capsys.readouterr().out.splitlines() if "note:" in line]


def test_a_stray_image_beside_class_folders_is_named_as_why_there_are_no_classes(
        tmp_path, capsys):
    folder = make_folder(tmp_path / "pets", 12, ("cat", "dog", "eel"))
    draw(folder / "stray_top", 99)
    p = prepare(folder, PrepareOptions(image_size=16), show=False)
    assert p.manifest["classes"] == []
    assert _notes(capsys, folder) == ["note: 3 folders would be classes, but 1 image(s) lie "
                                      "outside them (stray_top.png): move them into a class "
                                      "folder"]


def test_a_class_without_a_usable_image_is_left_out_and_labels_stay_dense(tmp_path, capsys):
    folder = make_folder(tmp_path / "pets", 12, ("cat", "dog"))
    (folder / "broken").mkdir()
    (folder / "broken" / "x.png").write_bytes(b"not a png")
    p = prepare(folder, PrepareOptions(image_size=16), show=False)
    assert p.manifest["classes"] == ["cat", "dog"]
    assert {i["label"] for i in p.manifest["items"]} == {0, 1}
    assert all(i["label"] == (0 if i["name"].startswith("cat/") else 1)
               for i in p.manifest["items"])
    assert "note: left out, no usable image: broken" in _notes(capsys, folder)
