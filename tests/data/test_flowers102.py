"""`ganforge data download flowers102` against a local copy of the official page: verified
label files, jpg/ unpacked atomically, the unpinned archive said so, captions from --captions."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganforge.cli import main
from ganforge.data import flowers102
from ganforge.fileio import cache_root, sha256_file

LABELS = [1, 2, 1]  # three images: train (1), test (2), train (3)


def _tgz(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _jpeg(i: int) -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.full((70, 90, 3), 40 * i, np.uint8)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder serving the three files of the official page; the .mat MD5s pinned to it."""
    from scipy.io import savemat

    page = tmp_path / "page"
    page.mkdir()
    savemat(str(page / "imagelabels.mat"), {"labels": np.array([LABELS], np.uint8)})
    savemat(str(page / "setid.mat"), {"trnid": np.array([[1]], np.uint16),
                                      "valid": np.array([[2]], np.uint16),
                                      "tstid": np.array([[3]], np.uint16)})
    _tgz(page / "102flowers.tgz", {f"jpg/image_{i:05d}.jpg": _jpeg(i) for i in (1, 2, 3)})
    for attr in ("LABELS", "SPLITS"):
        spec = getattr(flowers102, attr)
        md5 = hashlib.md5((page / spec.name).read_bytes()).hexdigest()
        monkeypatch.setattr(flowers102, attr, dataclasses.replace(spec, md5=md5))
    monkeypatch.setenv("GANFORGE_MIRRORS", str(page))
    return page


def _captions(path: Path) -> Path:
    files = {f"cvpr2016_flowers/text_c10/class_{c:05d}/image_{i:05d}.txt": b"a red flower\n"
             for i, c in enumerate(LABELS, start=1)}
    files["cvpr2016_flowers/README"] = b"not kept"
    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in files.items():
                zf.writestr(name, data)
        return path
    return _tgz(path, files)


def test_download_verifies_unpacks_and_says_what_is_missing(page, capsys):
    assert main(["data", "download", "flowers102"]) == 0
    out = capsys.readouterr().out
    folder = cache_root() / "flowers102"
    assert sorted(p.name for p in folder.iterdir()) == ["imagelabels.mat", "jpg", "setid.mat"]
    assert sorted(p.name for p in (folder / "jpg").iterdir()) == [
        "image_00001.jpg", "image_00002.jpg", "image_00003.jpg"]
    assert f"102flowers.tgz is NOT pinned (no published checksum): its SHA-256 was " \
           f"{sha256_file(page / '102flowers.tgz')}" in out
    assert f"copy text_c10/ of the 2016 caption release (Reed et al.) to {folder / 'text_c10'}" \
        in out


def test_captions_from_an_archive_complete_the_layout(page, tmp_path, capsys):
    from ganforge.data.captioned.flowers import check_files, load_flowers

    assert main(["data", "download", "flowers102", "--captions",
                 str(_captions(tmp_path / "captions.tar.gz"))]) == 0
    assert "3 caption files unpacked" in capsys.readouterr().out
    assert all(report["ok"] for report in check_files())
    images, labels, captions, _ = load_flowers("train")
    assert images.shape == (2, 3, 64, 64) and captions == [["a red flower"]] * 2
    zipped = _captions(tmp_path / "captions.zip")  # again, from a zip: replaced whole
    assert main(["data", "download", "flowers102", "--captions", str(zipped)]) == 0
    folder = cache_root() / "flowers102"  # (and the reader's decoded-image cache)
    assert sorted(p.name for p in folder.iterdir() if p.suffix != ".safetensors") == [
        "imagelabels.mat", "jpg", "setid.mat", "text_c10"]
    assert len(list((folder / "text_c10").rglob("*.txt"))) == 3


def test_a_label_file_with_the_wrong_md5_is_one_line_and_not_kept(page, monkeypatch, capsys):
    spec = dataclasses.replace(flowers102.SPLITS, md5="a5357ecc9cb78c4bef273ce3793fc85c")
    monkeypatch.setattr(flowers102, "SPLITS", spec)
    assert main(["data", "download", "flowers102"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "setid.mat" in err[0]
    assert "checksum mismatch (MD5" in err[0] and "expected a5357ecc9cb78c4bef273ce3793fc85c" \
        in err[0]
    assert sorted(p.name for p in (cache_root() / "flowers102").iterdir()) == ["imagelabels.mat"]


def test_an_image_archive_with_an_unsafe_member_leaves_no_jpg(page, capsys):
    _tgz(page / "102flowers.tgz", {"jpg/image_00001.jpg": _jpeg(1), "../../evil": b"x"})
    assert main(["data", "download", "flowers102"]) == 2
    assert "climbs out with '..'" in capsys.readouterr().err
    folder = cache_root() / "flowers102"
    assert sorted(p.name for p in folder.iterdir()) == ["imagelabels.mat", "setid.mat"]


def test_the_official_checksums_and_page():
    assert flowers102.MIRRORS == ("https://www.robots.ox.ac.uk/~vgg/data/flowers/102/",)
    assert flowers102.LABELS.md5 == "e0620be6f572b9609742df49c70aed4d"
    assert flowers102.SPLITS.md5 == "a5357ecc9cb78c4bef273ce3793fc85c"
    assert flowers102.ARCHIVE.md5 is None  # unpinned, and said so


def test_captions_for_another_data_set_are_refused(capsys):
    assert main(["data", "download", "mnist", "--captions", "x.tgz"]) == 2
    assert "--captions is for flowers102" in capsys.readouterr().err
