"""Which evaluator fitted at another path a moved folder takes (metrics.fitted_moved): one
prepared as the run asking was first, then the kinds in the order asked, then one fitted
where it lies before a copy of one, then the newest; a record whose tensor file does not
have its SHA-256 is never copied; and every kind of the same data and preparation beside
the chosen one is copied with it."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

from ganforge.data.folder.identity import listing_digest
from ganforge.data.prepare_options import PrepareOptions
from ganforge.metrics.fitted_moved import _intact, _same_place, candidates
from tests.data.folder.conftest import make_folder

CONTENT = {"listing": "l", "train": {"sha256": "a"}, "test": {"sha256": "b"}}
AT_32 = {**vars(PrepareOptions(image_size=32))}
AT_64 = {**vars(PrepareOptions(image_size=64))}


def _record(root: Path, place: str, kind: str, prepare: dict, age: int, blob: bytes = b"w",
            **extra) -> Path:
    """A fitted evaluator's record and tensor file under root/place, `age` seconds old."""
    folder = root / place
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{kind}.safetensors").write_bytes(blob)
    path = folder / f"{kind}.json"
    path.write_text(json.dumps({"data": f"/data/{place}", "content": CONTENT,
                                "prepare": prepare, "kind": kind,
                                "sha256": hashlib.sha256(b"w").hexdigest(), **extra}))
    os.utime(path, (1e9 - age, 1e9 - age))
    return path


def _read(path: Path) -> dict:
    return json.loads(path.read_text())


def test_the_run_s_preparation_then_the_kind_order_then_originals_then_the_newest(tmp_path):
    newest_64 = _record(tmp_path, "folder-a", "classifier", AT_64, age=1)
    old_32_ssl = _record(tmp_path, "folder-b", "self-supervised", AT_32, age=9)
    new_32_ssl = _record(tmp_path, "folder-c", "self-supervised", AT_32, age=5)
    copy_32_cls = _record(tmp_path, "folder-d", "classifier", AT_32, age=2, fitted_for="/x")
    orig_32_cls = _record(tmp_path, "folder-e", "classifier", AT_32, age=7)
    kinds = ("classifier", "contrastive", "self-supervised")
    order = [p for p, _ in candidates(tmp_path, kinds, _read, "/data/new",
                                      PrepareOptions(image_size=32))]
    assert order == [orig_32_cls, copy_32_cls, new_32_ssl, old_32_ssl, newest_64]
    unpreferred = [p for p, _ in candidates(tmp_path, kinds, _read, "/data/new")]
    assert unpreferred[:3] == [newest_64, orig_32_cls, copy_32_cls]
    assert [p for p, _ in candidates(tmp_path, kinds, _read, "/data/folder-e")][:1] == \
        [newest_64]  # a folder's own record is never a candidate for it
    assert orig_32_cls not in [p for p, _ in candidates(tmp_path, kinds, _read,
                                                       "/data/folder-e")]


def test_a_damaged_tensor_file_is_not_intact(tmp_path):
    good = _record(tmp_path, "folder-g", "classifier", AT_32, age=1)
    bad = _record(tmp_path, "folder-h", "classifier", AT_32, age=1, blob=b"x")
    assert _intact(good, _read(good)) and not _intact(bad, _read(bad))
    (good.with_suffix(".safetensors")).unlink()
    assert not _intact(good, _read(good))


def test_every_intact_kind_of_the_same_data_and_preparation_goes_along(tmp_path):
    chosen = _record(tmp_path, "folder-p", "classifier", AT_32, age=1)
    ssl = _record(tmp_path, "folder-p", "self-supervised", AT_32, age=1)
    _record(tmp_path, "folder-p", "contrastive", AT_64, age=1)  # prepared otherwise
    bad = _record(tmp_path, "folder-q", "self-supervised", AT_32, age=1, blob=b"x")
    assert [p for p, _ in _same_place(chosen, _read(chosen), _read)] == [chosen, ssl]
    assert [p for p, _ in _same_place(bad, _read(bad), _read)] == [bad]


def test_a_folder_and_its_archive_in_any_member_order_list_alike(tmp_path):
    folder = make_folder(tmp_path / "shapes", 6, ("circle", "square"))
    for name, order in (("forward.zip", sorted), ("backward.zip", lambda f: sorted(f)[::-1])):
        with zipfile.ZipFile(tmp_path / name, "w") as archive:
            for file in order(p for p in folder.rglob("*") if p.is_file()):
                archive.write(file, file.relative_to(folder).as_posix())
    digests = {listing_digest(p) for p in (folder, tmp_path / "forward.zip",
                                           tmp_path / "backward.zip")}
    assert len(digests) == 1
