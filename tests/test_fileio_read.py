"""fileio.read_regular: only regular files, read with a size bound, one-line DataError."""

import os
import threading

import pytest

from ganforge.errors import DataError
from ganforge.fileio import read_regular


def test_reads_a_regular_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello")
    assert read_regular(path, 10, "caption file") == b"hello"
    assert read_regular(str(path), 5, "caption file") == b"hello"


def test_refuses_a_file_over_the_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 11)
    with pytest.raises(DataError, match=r"big.txt: caption file of 11 bytes, more than 10"):
        read_regular(path, 10, "caption file")


def test_refuses_a_sparse_file_without_reading_it(tmp_path):
    path = tmp_path / "sparse.txt"
    with open(path, "wb") as fh:
        fh.truncate(2 * 1024**3)
    with pytest.raises(DataError, match="more than 1048576"):
        read_regular(path, 1 << 20, "caption file")


def test_refuses_a_fifo_without_hanging(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = {}

    def attempt():
        try:
            read_regular(fifo, 100, "caption file")
        except DataError as exc:
            result["error"] = str(exc)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(5)
    assert not thread.is_alive(), "read_regular hung on a FIFO"
    assert result["error"].endswith("caption file is not a regular file")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_refuses_devices(device):
    with pytest.raises(DataError, match="not a regular file"):
        read_regular(device, 100, "JSON record")


def test_refuses_a_folder_and_a_missing_file(tmp_path):
    with pytest.raises(DataError, match="not a regular file"):
        read_regular(tmp_path, 100, "metrics file")
    with pytest.raises(DataError, match="metrics file not found"):
        read_regular(tmp_path / "nope", 100, "metrics file")
    with pytest.raises(DataError, match="not a folder|not found|unreadable"):
        (tmp_path / "f").write_text("x")
        read_regular(tmp_path / "f" / "g", 100, "metrics file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_refuses_an_unreadable_file_in_one_line(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("x")
    path.chmod(0)
    with pytest.raises(DataError, match=r"secret.txt: caption file unreadable \(Permission"):
        read_regular(path, 100, "caption file")


def test_a_file_that_grows_while_read_is_still_bounded(tmp_path, monkeypatch):
    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 5)
    real_fstat = os.fstat

    def small_fstat(fd):  # the size seen at open is 5; the file then holds 50
        info = real_fstat(fd)
        return os.stat_result((info.st_mode, *info[1:6], 5, *info[7:]))

    path.write_bytes(b"x" * 50)
    monkeypatch.setattr(os, "fstat", small_fstat)
    with pytest.raises(DataError, match="more than 10"):
        read_regular(path, 10, "caption file")


def test_read_json_bounds_depth_before_parsing(tmp_path):
    from ganforge.fileio import json_depth, read_json

    assert json_depth(b'{"a": [1, {"b": "[[[["}]}') == 3  # brackets in strings do not count
    path = tmp_path / "r.json"
    path.write_text('{"a": [1, 2]}')
    assert read_json(path, 100, "record") == {"a": [1, 2]}
    path.write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(DataError, match="record nested more than 64 levels deep"):
        read_json(path, 1 << 20, "record")
    path.write_bytes(b"\xff{}")
    with pytest.raises(DataError, match="record is not valid JSON"):
        read_json(path, 100, "record")
