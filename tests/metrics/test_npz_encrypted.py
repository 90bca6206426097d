"""An .npz whose member carries the zip 'encrypted' flag is one DataError line (it used to be
a RuntimeError traceback from zipfile asking for a password)."""

import io
import zipfile

import numpy as np
import pytest

from ganforge.cli import main
from ganforge.errors import DataError
from ganforge.metrics.npz import read_npz_images


def _npz(path, flag_bits):
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((8, 28, 28), np.uint8))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("images.npy", buffer.getvalue())
    data = bytearray(path.read_bytes())  # zipfile writes no flag it did not set: patch both
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # headers' flags
        at = data.index(signature) + offset
        data[at] |= flag_bits
    path.write_bytes(bytes(data))
    return path


def test_the_same_archive_without_the_flag_is_read(tmp_path):
    assert read_npz_images(_npz(tmp_path / "plain.npz", 0)).shape == (8, 1, 28, 28)


def test_an_encrypted_member_is_one_data_error(tmp_path):
    with pytest.raises(DataError, match=r"member images.npy is encrypted; ganforge reads"):
        read_npz_images(_npz(tmp_path / "locked.npz", 0x1))


def test_evaluate_samples_of_an_encrypted_npz_is_one_line(tmp_path, capsys, no_data):
    path = _npz(tmp_path / "locked.npz", 0x1)
    assert main(["evaluate", "--samples", str(path), "--dataset", "mnist"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is encrypted" in err[0], err  # before looking for the data set
