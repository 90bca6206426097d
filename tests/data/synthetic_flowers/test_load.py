"""synthetic-flowers through load_dataset (the flowers reader), `data list` and `data check`:
made on first use, levels and attributes carried, and broken files named in one line."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from ganforge.cli import main
from ganforge.data import list_datasets, load_dataset
from ganforge.data.synthetic_flowers import make as maker
from ganforge.data.synthetic_flowers.species import ATTRIBUTES, NAME
from ganforge.errors import DataError


def linked_copy(root: Path, dest: Path) -> Path:
    """A copy of the set made of hard links (change a file only by replacing it)."""
    shutil.copytree(root, dest / NAME, copy_function=os.link)
    return dest / NAME


def replace(path: Path, data: bytes) -> None:
    path.unlink()
    path.write_bytes(data)


def test_loads_through_the_flowers_reader_with_levels(synthetic_flowers):
    test = load_dataset(NAME, "test", synthetic_flowers.parent, text_encoder=None)
    train = load_dataset(NAME, "train", synthetic_flowers.parent, limit=50, text_encoder=None)
    assert tuple(test.images.shape) == (1020, 3, 64, 64) and len(train) == 50
    assert len(test.classes) == 102 and np.bincount(test.labels.numpy()).tolist() == [10] * 102
    assert test.attributes == ATTRIBUTES
    assert test.levels.shape == (1020, 10, 5) and test.truth.shape == (1020, 5)
    stated = test.levels >= 0
    assert stated.any(axis=2).all() and (stated.sum(axis=2) <= 4).all()
    truth = np.broadcast_to(test.truth[:, None], test.levels.shape)
    assert (test.levels[stated] == truth[stated]).all()  # every statement is true


def test_made_on_first_use_into_the_cache(synthetic_flowers, tmp_path, monkeypatch):
    calls = []

    def fake_make(out=None, log=None):  # the real one takes a minute: copy the session's set
        calls.append(out)
        return linked_copy(synthetic_flowers, tmp_path / "home" / ".cache" / "ganforge")

    monkeypatch.setattr(maker, "make", fake_make)
    data = load_dataset(NAME, "test", limit=3, text_encoder=None)
    assert calls == [None] and len(data) == 3
    row = next(r for r in list_datasets() if r["name"] == NAME)
    assert row["found"] and row["location"].endswith(f".cache/ganforge/{NAME}")
    load_dataset(NAME, "test", limit=3, text_encoder=None)
    assert len(calls) == 1  # found in the cache the second time


def test_cli_make_writes_out_dir(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(maker, "_write_all", lambda root, workers: (root / "x").touch())
    assert main(["data", "make", NAME, "--out", str(tmp_path)]) == 0
    assert (tmp_path / NAME / "x").is_file()
    assert main(["data", "make", "mnist"]) == 2
    assert "not made by ganforge" in capsys.readouterr().err


def test_check_passes_on_the_made_set(synthetic_flowers, capsys):
    assert main(["data", "check", NAME, "--data-dir", str(synthetic_flowers.parent)]) == 0
    out = capsys.readouterr().out
    assert f"{NAME}: all 7 files ok" in out and "caption facts" in out


def _small_jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (0, 120, 0)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize("damage, named, why", [
    (lambda r: (r / "jpg" / "image_00007.jpg").unlink(), "image_00007.jpg", "missing"),
    (lambda r: replace(r / "setid.mat", b"MATLAB? no"), "setid.mat", "not a readable MATLAB"),
    (lambda r: replace(r / "jpg" / "image_00008.jpg", b"\xff\xd8 broken"), "image_00008.jpg",
     "unreadable JPEG"),
    (lambda r: replace(r / "jpg" / "image_00009.jpg", _small_jpeg()), "image_00009.jpg",
     "RGB 32x32, expected RGB 64x64"),
    (lambda r: replace(next((r / "text_c10").glob("class_00003/*.txt")),
                       b"this flower has teal petals\n"), ".txt", "unknown petal colour word"),
    (lambda r: replace(next((r / "text_c10").glob("class_00004/*.json")), b"{"), ".json",
     "attribute file is not valid JSON"),
])
def test_bad_files_are_one_line_naming_the_file(synthetic_flowers, tmp_path, capsys, damage,
                                                named, why):
    root = linked_copy(synthetic_flowers, tmp_path)
    damage(root)
    assert main(["data", "check", NAME, "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ganforge: error: ")
    assert named in err[0] and why in err[0] and str(root) in err[0]


def test_missing_set_is_one_line_with_the_command_to_make_it(tmp_path, capsys):
    assert main(["data", "check", NAME, "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not found" in err and "ganforge data make synthetic-flowers" in err


def test_only_its_own_folder_counts(synthetic_flowers, tmp_path):
    """A bare root holding the Oxford files is flowers102's, never synthetic-flowers'."""
    from ganforge.data.captioned.flowers import FLOWERS102, find_root
    from ganforge.data.synthetic_flowers.load import LAYOUT

    bare = tmp_path / "bare"
    shutil.copytree(synthetic_flowers, bare, copy_function=os.link)
    assert find_root(bare, LAYOUT) is None
    assert find_root(bare, FLOWERS102) == bare
    assert find_root(synthetic_flowers.parent, LAYOUT) == synthetic_flowers


def _make_older(root: Path) -> None:
    """Give image 1 true captions that are not those this ganforge writes (as an older one
    wrote others)."""
    text = next((root / "text_c10").glob("class_*/image_00001.txt"))
    colour = maker.image_params([1])[0].species.petal_colour
    replace(text, f"this flower has {colour} petals\n".encode() * 10)


def test_a_set_with_older_captions_is_made_again_in_its_place(synthetic_flowers, tmp_path,
                                                               monkeypatch, capsys):
    root = linked_copy(synthetic_flowers, tmp_path / "data")
    _make_older(root)
    (root / "images64-0123abcd.safetensors").write_bytes(b"the reader's image cache")
    calls = []

    def fake_make(out=None, log=None, force=False):  # the real one takes a minute
        calls.append((out, force))
        shutil.rmtree(root)
        return linked_copy(synthetic_flowers, Path(out))

    monkeypatch.setattr(maker, "make", fake_make)
    data = load_dataset(NAME, "test", tmp_path / "data", limit=3, text_encoder=None)
    assert calls == [(root.parent, True)] and len(data) == 3
    assert "captions are those of an older ganforge; making it again" in capsys.readouterr().err
    assert maker.captions_current(root)
    load_dataset(NAME, "test", tmp_path / "data", limit=3, text_encoder=None)
    assert len(calls) == 1  # current now


def test_an_older_set_holding_a_users_file_is_refused_in_one_line(synthetic_flowers, tmp_path,
                                                                  monkeypatch, capsys):
    root = linked_copy(synthetic_flowers, tmp_path)
    _make_older(root)
    (root / "notes.txt").write_text("mine")
    monkeypatch.setattr(maker, "make", lambda *a, **k: pytest.fail("must not make"))
    with pytest.raises(DataError, match=r"older ganforge .*; make it again with `ganforge data "
                                        r"make synthetic-flowers --force --out "):
        load_dataset(NAME, "test", tmp_path, limit=3, text_encoder=None)
    assert (root / "notes.txt").read_text() == "mine"
    assert main(["data", "check", NAME, "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "captions are those of an older ganforge" in err[0]
