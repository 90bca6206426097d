"""The train/test split of a folder: fixed by the names alone, every class with a training
image, and the split of every folder whose classes all train by name unchanged."""

from __future__ import annotations

import hashlib
import itertools
import json
import random

import pytest

from ganforge.data.folder.prepare import PrepareOptions, prepare
from ganforge.data.folder.split import split_by_class, split_of, untrained_classes
from tests.data.folder.conftest import draw, make_folder

TINY = {"one": 1, "two": 2, "three": 3}  # class -> images, all held out by name alone
FRACTION = 0.2
OPTIONS = PrepareOptions(image_size=16, test_fraction=FRACTION)


def _digest(name: str) -> bytes:
    return hashlib.sha256(name.encode()).digest()


def _tiny_names() -> dict[str, list[str]]:
    """Names of each tiny class whose SHA-256 lies below every big-class name's: the name
    rule holds them out first (found by trying names in order: the same every time)."""
    low = min(_digest(f"big/img{i:04d}.png") for i in range(40))
    found: dict[str, list[str]] = {}
    for cls, count in TINY.items():
        names = (f"{cls}/pic{k:04d}.png" for k in itertools.count())
        found[cls] = list(itertools.islice((n for n in names if _digest(n) < low), count))
    return found


@pytest.fixture
def mixed(tmp_path):
    """A class of 40 images and classes of 1, 2 and 3 images held out whole by name."""
    root = tmp_path / "mixed"
    for i in range(40):
        draw(root / "big" / f"img{i:04d}", i, (20, 20), ("RGB", ".png"))
    for j, name in enumerate(n for names in _tiny_names().values() for n in names):
        draw(root / name.removesuffix(".png"), 100 + j, (20, 20), ("RGB", ".png"))
    return root


def _split(manifest) -> dict[str, str]:
    return {i["name"]: i["split"] for i in manifest["items"]}


def _test_names(manifest) -> list[str]:
    return sorted(n for n, s in _split(manifest).items() if s == "test")


def test_split_depends_on_the_names_alone():
    names = [f"img{i}.png" for i in range(200)]
    split = split_of(names, 0.1)
    assert split.count("test") == 20
    shuffled = names[::-1]
    assert dict(zip(shuffled, split_of(shuffled, 0.1), strict=True)) == \
        dict(zip(names, split, strict=True))
    assert split_of(["a", "b"], 0.1).count("test") == 1
    assert split_of(names, 0.0).count("test") == 0


def test_splits_where_every_class_trains_by_name_are_as_before(tmp_path):
    """Pinned from the name rule before classes were split on their own: cached
    preparations, fitted evaluators and results of such folders stay valid."""
    pets = prepare(make_folder(tmp_path / "pets", 40, ("cat", "dog"), "jsonl"),
                   PrepareOptions(image_size=16), show=False).manifest
    assert _test_names(pets) == ["cat/img0008.png", "cat/img0016.tiff", "cat/img0026.png",
                                 "cat/img0028.jpg"]
    three = prepare(make_folder(tmp_path / "three", 30, ("ant", "bee", "cow")),
                    PrepareOptions(image_size=16, test_fraction=0.3), show=False).manifest
    assert _test_names(three) == [
        "ant/img0000.png", "ant/img0009.png", "ant/img0012.gif", "ant/img0027.png",
        "bee/img0001.jpg", "bee/img0016.tiff", "bee/img0025.tiff", "cow/img0011.png",
        "cow/img0023.bmp"]
    assert pets["class_notes"] == three["class_notes"] == []


def test_every_class_gets_a_training_image(mixed):
    m = prepare(mixed, OPTIONS, show=False).manifest
    names = [i["name"] for i in m["items"]]
    by_name = dict(zip(names, split_of(names, FRACTION), strict=True))
    assert {s for n, s in by_name.items() if not n.startswith("big/")} == {"test"}  # setup
    assert m["classes"] == ["big", "one", "three", "two"]
    trained = {m["classes"][i["label"]] for i in m["items"] if i["split"] == "train"}
    assert trained == set(m["classes"])
    split = _split(m)
    assert len(split) == len(names) == 46 and set(split.values()) == {"train", "test"}
    assert m["counts"] == {"train": 41, "test": 5}
    # the big class keeps the split the name rule gave it before
    assert sorted(n for n in _test_names(m) if n.startswith("big/")) == \
        ["big/img0002.png", "big/img0014.png", "big/img0015.png"]
    per_class = {c: sorted(s for n, s in split.items() if n.startswith(c + "/")) for c in TINY}
    assert per_class == {"one": ["train"], "two": ["test", "train"],
                         "three": ["test", "train", "train"]}
    for cls in ("two", "three"):  # the one held out: the smallest SHA-256 of its class
        own = [n for n in names if n.startswith(cls + "/")]
        assert [n for n in own if split[n] == "test"] == [min(own, key=_digest)]


def test_loaded_splits_are_disjoint_and_cover_the_folder(mixed):
    """What training and a fitted evaluator load (load_dataset: the manifest's split)."""
    from ganforge.data import load_dataset

    train = load_dataset(str(mixed), "train", text_encoder=None, options=OPTIONS)
    test = load_dataset(str(mixed), "test", text_encoder=None, options=OPTIONS)
    assert (len(train), len(test)) == (41, 5)
    assert set(train.labels.tolist()) == {0, 1, 2, 3}
    rows = {bytes(x) for x in train.images.numpy()} | {bytes(x) for x in test.images.numpy()}
    assert len(rows) == 46  # every image drawn differs: none in both, none lost


def test_the_split_does_not_depend_on_the_order_of_the_files():
    names = [f"big/{i}.png" for i in range(30)] + [n for ns in _tiny_names().values()
                                                    for n in ns]
    labels = [0] * 30 + [1] + [2] * 2 + [3] * 3
    split, moved = split_by_class(names, labels, FRACTION)
    assert moved == [1, 2, 3]
    order = list(range(len(names)))
    random.Random(0).shuffle(order)
    again, moved_again = split_by_class([names[i] for i in order], [labels[i] for i in order],
                                        FRACTION)
    assert dict(zip(names, split, strict=True)) == \
        {names[i]: s for i, s in zip(order, again, strict=True)}
    assert moved_again == moved


def test_classes_of_one_image_all_train():
    names = [f"class_{c:02d}/only.png" for c in range(40)]
    assert split_of(names, FRACTION).count("test") == 8
    split, moved = split_by_class(names, list(range(40)), FRACTION)
    assert split == ["train"] * 40 and len(moved) == 8


def test_no_test_fraction_moves_nothing_and_no_classes_are_left_alone():
    names = ["a/1.png", "a/2.png", "b/1.png"]
    assert split_by_class(names, [0, 0, 1], 0.0) == (["train"] * 3, [])
    plain = split_by_class(names, [-1, -1, -1], 0.5)
    assert plain == (split_of(names, 0.5), [])


def test_check_names_the_classes_split_on_their_own(mixed, capsys):
    from ganforge.cli import main

    assert main(["data", "check", str(mixed), "--image-size", "16", "--test-fraction",
                 str(FRACTION)]) == 0
    out = capsys.readouterr().out
    assert "no training image" not in out
    assert "note: split on their own, as by name all their images fell in the test split: " \
           "one, three, two" in out
    assert "41 train, 5 test" in out


def test_a_preparation_cached_under_the_name_rule_alone_is_made_again(mixed, monkeypatch):
    """A cache entry written before classes were split on their own (same key) leaves a
    class untrained: it is prepared again, not served; other entries are served as they are."""
    import ganforge.data.folder.prepare as prepare_module

    first = prepare(mixed, OPTIONS, show=False)
    manifest = first.manifest
    names = [i["name"] for i in manifest["items"]]
    for item, s in zip(manifest["items"], split_of(names, FRACTION), strict=True):
        item["split"] = s  # the split an earlier ganforge cached
    (first.folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert untrained_classes(manifest["items"]) is True
    again = prepare(mixed, OPTIONS, show=False)
    assert again.folder == first.folder and again.manifest["counts"] == {"train": 41,
                                                                         "test": 5}

    def refuse(*args):
        raise AssertionError("prepared again")

    monkeypatch.setattr(prepare_module, "_run", refuse)
    assert _split(prepare(mixed, OPTIONS, show=False).manifest) == _split(again.manifest)


def test_data_list_shows_an_entry_of_the_name_rule_as_it_will_be_prepared(
        mixed, monkeypatch, capsys):
    """An entry cached under the name rule alone is prepared again on first use: `data list`
    gives the counts it will then have, and says so, without preparing anything."""
    import ganforge.data.folder.prepare as prepare_module
    from ganforge.cli import main

    first = prepare(mixed, OPTIONS, show=False)
    manifest = first.manifest
    old = split_of([i["name"] for i in manifest["items"]], FRACTION)
    for item, s in zip(manifest["items"], old, strict=True):
        item["split"] = s  # the split and counts an earlier ganforge cached
    manifest["counts"] = {"train": old.count("train"), "test": old.count("test")}
    assert manifest["counts"] == {"train": 37, "test": 9}
    (first.folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    monkeypatch.setattr(prepare_module, "_run", None)  # nothing is prepared
    capsys.readouterr()
    assert main(["data", "list"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if str(mixed) in x)
    assert "41 train, 5 test" in line and "37 train" not in line
    assert line.endswith("(split by an earlier ganforge: prepared again on next use)")


@pytest.mark.parametrize("items", [None, [{"split": "train"}], [{"label": "0"}], "items"])
def test_items_that_are_not_a_split_are_not_judged(items):
    assert untrained_classes(items) is None


def test_a_class_folder_with_no_image_file_is_named_not_dropped_silently(tmp_path, monkeypatch):
    from ganforge.data.folder.prepare import PrepareOptions, prepare
    from tests.data.folder.conftest import make_folder

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = make_folder(tmp_path / "pets", 12, ("cat", "dog"))
    (folder / "heic").mkdir()
    (folder / "heic" / "IMG_0001.HEIC").write_bytes(b"\0" * 64)
    notes = prepare(folder, PrepareOptions(image_size=32)).manifest["class_notes"]
    assert "left out, no image file: heic" in notes


def test_split_counts_come_from_the_cache_without_reading_the_images(tmp_path, monkeypatch):
    import numpy as np

    from ganforge.data.folder.prepare import PrepareOptions, prepare, split_counts
    from tests.data.folder.conftest import make_folder

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = make_folder(tmp_path / "pets", 30, ("cat", "dog"))
    options = PrepareOptions(image_size=32)
    assert split_counts(folder, options) == prepare(folder, options).manifest["counts"]
    modes = []
    real_load = np.load
    monkeypatch.setattr(np, "load", lambda *a, **k: modes.append(k.get("mmap_mode"))
                        or real_load(*a, **k))
    assert sum(split_counts(folder, options).values()) == 30
    assert modes == ["r"]  # mapped from the cache, not read whole
