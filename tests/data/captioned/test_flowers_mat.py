"""The flowers label and split files under attack (issue 37, class 1): only the expected
variables are read, their type, shape, range and size checked before anything is built, and
duplicate or overlapping ids refused; every case is one DataError, memory stays small."""

from __future__ import annotations

import os
import resource

import numpy as np
import pytest

from ganforge.cli import main
from ganforge.data.captioned import flowers
from ganforge.errors import DataError


def _save(path, **arrays):
    from scipy.io import savemat

    compress = arrays.pop("compress", False)
    savemat(str(path), arrays, do_compression=compress)


def _labels(root):
    return flowers.read_labels(root, 102)


@pytest.mark.parametrize("value,fragment", [
    ("abc", "'labels' is a string"),
    (np.array([[1, 2]], dtype=object), "'labels' is a cell array"),
    ({"a": 1}, "'labels' is a struct"),
    (np.array([[1.5, 2.0]]), "not whole numbers"),
    (np.array([[1 + 2j, 3]]), "not a real numeric array"),
    (np.ones((3, 3)), "must be 1 x N, got 3 x 3"),
    (np.array([[0, 1]]), "label 0 outside 1..102"),
    (np.array([[np.nan, 1]]), "not whole numbers"),
])
def test_a_label_file_of_the_wrong_kind_is_one_line(flowers_root, value, fragment):
    _save(flowers_root / "imagelabels.mat", labels=value)
    with pytest.raises(DataError, match=fragment):
        _labels(flowers_root)


def test_a_sparse_label_array_is_refused(flowers_root):
    from scipy.sparse import csr_matrix

    _save(flowers_root / "imagelabels.mat", labels=csr_matrix(np.ones((1, 5))))
    with pytest.raises(DataError, match="'labels' is a sparse array"):
        _labels(flowers_root)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("count", [10**8, 150_000_000])
def test_a_compressed_bomb_is_refused_without_inflating_it(flowers_root, tmp_path, count):
    import zlib

    # what a savemat of np.ones((1, count), uint8) with compression writes, built in pieces
    path = flowers_root / "imagelabels.mat"
    _save(path, labels=np.ones((1, 8), np.uint8), compress=True)
    data = path.read_bytes()
    header = data[:128]
    inner = _matrix_element(count)
    deflater = zlib.compressobj()
    body = deflater.compress(inner[0])
    chunk = b"\x01" * (1 << 20)
    for _ in range(count // len(chunk)):
        body += deflater.compress(chunk)
    body += deflater.compress(b"\x01" * (count % len(chunk))) + deflater.flush()
    import struct

    path.write_bytes(header + struct.pack("<II", 15, len(body)) + body)
    assert path.stat().st_size < 1 << 20
    before = _peak_mb()
    with pytest.raises(DataError, match="inflates past"):
        _labels(flowers_root)
    assert _peak_mb() - before < 100


def _matrix_element(count: int) -> tuple[bytes]:
    """The miMATRIX header of a 1 x count uint8 array named labels (data follows)."""
    import struct

    flags = struct.pack("<IIII", 6, 8, 9, 0)  # miUINT32, 8 bytes: class mxUINT8
    dims = struct.pack("<IIii", 5, 8, 1, count)
    name = struct.pack("<II", 1, 6) + b"labels\0\0"  # miINT8, 6 bytes, padded to 8
    data_tag = struct.pack("<II", 2, count)
    body = flags + dims + name + data_tag
    size = len(body) + count + (-count) % 8
    return (struct.pack("<II", 14, size) + body,)


def test_a_big_uncompressed_vector_is_refused_by_its_header(flowers_root):
    _save(flowers_root / "imagelabels.mat", labels=np.ones((1, 120_000), np.uint8))
    with pytest.raises(DataError, match="'labels' holds 120000 values; at most"):
        _labels(flowers_root)


def test_only_the_expected_variable_is_read(flowers_root):
    from scipy.sparse import csr_matrix

    labels = _labels(flowers_root)
    _save(flowers_root / "imagelabels.mat", labels=labels[None].astype(np.uint8),
          junk=csr_matrix(np.ones((1, 5))), text="hello", cell=np.array([[1]], dtype=object))
    assert _labels(flowers_root).tolist() == labels.tolist()


@pytest.mark.parametrize("ids,fragment", [
    ({"trnid": [1, 2, 2, 3], "valid": [9, 10], "tstid": [4]}, "image 2 twice"),
    ({"trnid": [1, 2, 3], "valid": [3, 9], "tstid": [4]}, "image 3 in both trnid and valid"),
    ({"trnid": [1, 2], "valid": [9], "tstid": [2]}, "image 2 in both trnid and tstid"),
    ({"trnid": [1, 2], "valid": [9, 99], "tstid": [4]}, "image 99 has no label"),
])
def test_duplicate_or_overlapping_ids_are_refused(flowers_root, ids, fragment):
    _save(flowers_root / "setid.mat", **{k: np.array([v], np.uint16) for k, v in ids.items()})
    labels = _labels(flowers_root)
    for split in ("train", "test"):
        with pytest.raises(DataError, match=fragment):
            flowers.split_ids(flowers_root, split, labels)


def test_a_fifo_in_place_of_the_label_file_is_refused_at_once(flowers_root):
    (flowers_root / "imagelabels.mat").unlink()
    os.mkfifo(flowers_root / "imagelabels.mat")
    with pytest.raises(DataError, match="not a regular file"):
        _labels(flowers_root)


def test_data_check_of_a_bad_label_file_is_one_line(flowers_root, capsys):
    _save(flowers_root / "imagelabels.mat", labels={"a": 1})
    assert main(["data", "check", "flowers102", "--data-dir", str(flowers_root.parent)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'labels' is a struct" in err[0], err
