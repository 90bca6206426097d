"""Tests for ganforge.data.idx: round trips, validation errors and a fuzzing property."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ganforge.data.idx import encode_idx, read_idx, write_idx
from ganforge.errors import DataError, OutputError

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]
SHAPES = [(7,), (3, 4), (2, 3, 4), (2, 1, 3, 2)]


def _sample(dtype: type, shape: tuple[int, ...]) -> np.ndarray:
    """Return a deterministic array of ``dtype`` and ``shape`` using the type's range."""
    rng = np.random.default_rng(1)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip(tmp_path: Path, dtype: type, compress: bool) -> None:
    for shape in SHAPES:
        arr = _sample(dtype, shape)
        path = write_idx(tmp_path / f"a{len(shape)}.idx", arr, compress=compress)
        back = read_idx(path)
        assert back.dtype == np.dtype(dtype) and back.dtype.isnative
        assert back.shape == shape
        np.testing.assert_array_equal(back, arr)
        assert back.flags.writeable


def test_multibyte_is_big_endian_on_disk(tmp_path: Path) -> None:
    path = write_idx(tmp_path / "x", np.array([0x0102], dtype=np.int16), compress=False)
    assert path.read_bytes() == bytes([0, 0, 0x0B, 1, 0, 0, 0, 1, 0x01, 0x02])


def test_gzip_detected_by_magic_not_suffix(tmp_path: Path) -> None:
    arr = np.arange(6, dtype=np.uint8).reshape(2, 3)
    gz_plain_name = write_idx(tmp_path / "plain-name", arr, compress=True)
    raw_gz_name = write_idx(tmp_path / "looks.gz", arr, compress=False)
    assert gz_plain_name.read_bytes()[:2] == b"\x1f\x8b"
    np.testing.assert_array_equal(read_idx(gz_plain_name), arr)
    np.testing.assert_array_equal(read_idx(raw_gz_name), arr)


def test_empty_dimension(tmp_path: Path) -> None:
    back = read_idx(write_idx(tmp_path / "e", np.zeros((0, 3), np.uint8), compress=True))
    assert back.shape == (0, 3)


def _expect_error(path: Path, content: bytes, *fragments: str) -> str:
    """Write ``content`` to ``path``, read it, and check the DataError message."""
    path.write_bytes(content)
    with pytest.raises(DataError) as info:
        read_idx(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    for fragment in fragments:
        assert fragment in message
    return message


def test_bad_magic(tmp_path: Path) -> None:
    _expect_error(tmp_path / "bad", b"\x01\x00\x08\x01" + b"\x00" * 8, "not an IDX file")


def test_bad_dtype_code(tmp_path: Path) -> None:
    content = bytes([0, 0, 0x0A, 1, 0, 0, 0, 1, 5])
    _expect_error(tmp_path / "dtype", content, "dtype code 0x0A")


@pytest.mark.parametrize("ndim", [0, 5])
def test_bad_number_of_dims(tmp_path: Path, ndim: int) -> None:
    content = bytes([0, 0, 0x08, ndim]) + b"\x00\x00\x00\x01" * ndim + b"\x07"
    _expect_error(tmp_path / "dims", content, f"number of dimensions {ndim}")


def test_truncated_header(tmp_path: Path) -> None:
    _expect_error(tmp_path / "short", b"\x00\x00", "truncated header")
    _expect_error(tmp_path / "short3", bytes([0, 0, 8, 3, 0, 0, 0, 2]), "truncated header")


@pytest.mark.parametrize("compress", [True, False])
def test_truncated_payload(tmp_path: Path, compress: bool) -> None:
    content = encode_idx(np.ones((4, 5), dtype=np.int32))[:-3]
    data = gzip.compress(content) if compress else content
    _expect_error(tmp_path / "trunc.gz", data, "truncated: expected 80 bytes of data, found 77")


def test_extra_bytes(tmp_path: Path) -> None:
    content = encode_idx(np.ones((2, 2), dtype=np.uint8)) + b"xyz"
    _expect_error(tmp_path / "long", content, "expected 4 bytes of data, found 7")


def test_corrupt_gzip(tmp_path: Path) -> None:
    good = gzip.compress(encode_idx(np.arange(200, dtype=np.int16)))
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0xFF
    _expect_error(tmp_path / "flipped.gz", bytes(flipped), "corrupt gzip")
    _expect_error(tmp_path / "cut.gz", good[: len(good) - 10], "corrupt gzip")
    _expect_error(tmp_path / "magic-only.gz", b"\x1f\x8b", "corrupt gzip")


def test_empty_file(tmp_path: Path) -> None:
    _expect_error(tmp_path / "empty.gz", b"", "empty file")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    for path in (tmp_path / "missing", tmp_path):
        with pytest.raises(DataError, match="cannot read file") as info:
            read_idx(path)
        assert str(path) in str(info.value)


@pytest.mark.parametrize("array", [np.zeros(3, bool), np.zeros(3, np.float16),
                                   np.zeros(3, np.uint16), np.array(5, np.uint8),
                                   np.zeros((1,) * 5, np.uint8)])
def test_write_rejects_unsupported(tmp_path: Path, array: np.ndarray) -> None:
    target = tmp_path / "out"
    with pytest.raises(DataError, match="cannot write") as info:
        write_idx(target, array, compress=False)
    assert str(target) in str(info.value)
    assert not list(tmp_path.glob("*out*"))


def test_write_creates_folders_but_not_under_a_file(tmp_path: Path) -> None:
    written = write_idx(tmp_path / "new" / "folder" / "file", np.arange(3, dtype=np.uint8))
    assert read_idx(written).tolist() == [0, 1, 2]
    (tmp_path / "plain").write_text("x")
    with pytest.raises(OutputError, match="plain: not a folder"):
        write_idx(tmp_path / "plain" / "file", np.zeros(2, np.uint8))


def _read_only_data_errors(path: Path, content: bytes) -> None:
    """Reading ``content`` must give an array or a one-line DataError, nothing else.

    Any other exception escapes and fails the test.
    """
    path.write_bytes(content)
    try:
        result = read_idx(path)
    except DataError as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)
    else:
        assert isinstance(result, np.ndarray)


_FUZZ = settings(max_examples=150, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])
_PREFIXES = st.sampled_from([b"", b"\x1f\x8b", b"\x1f\x8b\x08\x00", b"\x00\x00\x08\x01",
                             b"\x00\x00\x0d\x02\x00\x00\x00\x02"])


@_FUZZ
@given(prefix=_PREFIXES, tail=st.binary(max_size=64))
def test_random_bytes_only_raise_data_error(
        tmp_path_factory: pytest.TempPathFactory, prefix: bytes, tail: bytes) -> None:
    _read_only_data_errors(_fuzz_dir(tmp_path_factory) / "random.gz", prefix + tail)


_VALID = encode_idx(np.arange(24, dtype=np.int16).reshape(2, 3, 4))


@_FUZZ
@given(compress=st.booleans(),
       edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=4),
       cut=st.integers(0, 10_000), extra=st.binary(max_size=8))
def test_mutated_files_only_raise_data_error(
        tmp_path_factory: pytest.TempPathFactory, compress: bool,
        edits: list[tuple[int, int]], cut: int, extra: bytes) -> None:
    data = bytearray(gzip.compress(_VALID, mtime=0) if compress else _VALID)
    for pos, value in edits:
        data[pos % len(data)] = value
    data = data[: len(data) - cut % (len(data) + 1)] + extra
    _read_only_data_errors(_fuzz_dir(tmp_path_factory) / "mutated", bytes(data))


def _fuzz_dir(factory: pytest.TempPathFactory) -> Path:
    """Return one scratch folder shared by all fuzz examples (created on first use)."""
    path = factory.getbasetemp() / "idx-fuzz"
    path.mkdir(exist_ok=True)
    return path


# --- a gzip bomb is refused as it streams, never decompressed whole ---------------------------

def test_gzip_bomb_is_refused_at_the_bound(tmp_path: Path) -> None:
    from ganforge.data.idx import read_hashed

    bomb = tmp_path / "bomb.gz"
    bomb.write_bytes(gzip.compress(bytes(64 * 2**20), compresslevel=9))  # 64 MB of zeros
    assert bomb.stat().st_size < 200_000
    with pytest.raises(DataError, match="bomb.gz: more than 1000 bytes uncompressed"):
        read_hashed(bomb, limit=1000)


def test_the_checksum_is_of_the_streamed_content(tmp_path: Path) -> None:
    import hashlib

    from ganforge.data.idx import read_hashed

    content = encode_idx(np.arange(3000, dtype=np.uint8).reshape(30, 100) % 251)
    path = tmp_path / "a.gz"
    path.write_bytes(gzip.compress(content) + gzip.compress(b""))  # two gzip members
    back, digest = read_hashed(path, limit=len(content))
    assert bytes(back) == content and digest == hashlib.sha256(content).hexdigest()
