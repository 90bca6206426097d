"""Reading and writing IDX files (the MNIST-style array format), raw or gzip-compressed.

An IDX file is a 4-byte magic number (two zero bytes, a dtype code, the number of
dimensions), one big-endian uint32 per dimension, then the items in row-major order,
big-endian for multi-byte types. Every problem with a file becomes a one-line
:class:`~ganforge.errors.DataError` that names the file.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import os
import zlib
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ganforge.errors import DataError
from ganforge.fileio import atomic_write_bytes

GZIP_MAGIC = b"\x1f\x8b"

# IDX dtype code -> big-endian numpy dtype.
_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_MAX_DIMS = 4
CHUNK = 1 << 20
MAX_CONTENT = 1 << 30  # any IDX file: at most 1 GiB uncompressed (MNIST's largest: 47 MB)


def _read_stream(fh: BinaryIO, source: str | os.PathLike[str], limit: int,
                 digest: Any = None) -> bytearray:
    """The uncompressed content of the open file `fh` (gunzipped as it is read if it starts
    with the gzip magic), refused as soon as it passes `limit` bytes; `digest` (a hashlib
    object) is updated with the content as it streams."""
    head = fh.read(len(GZIP_MAGIC))
    if not head:
        raise DataError(f"{source}: empty file")
    fh.seek(0)
    stream: BinaryIO = gzip.GzipFile(fileobj=fh, mode="rb") if head == GZIP_MAGIC else fh
    content = bytearray()
    try:
        while chunk := stream.read(min(CHUNK, limit + 1 - len(content))):
            content += chunk
            if len(content) > limit:
                raise DataError(f"{source}: more than {limit} bytes uncompressed, the most this "
                                "file may hold; refused before reading further")
            if digest is not None:
                digest.update(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{source}: corrupt gzip data ({_one_line(exc)})") from None
    return content


def decode_content(raw: bytes, source: str | os.PathLike[str], limit: int = MAX_CONTENT,
                   digest: Any = None) -> bytearray:
    """Return the uncompressed content of ``raw`` (gunzipped, as a bounded stream, if it
    starts with the gzip magic); at most ``limit`` bytes, else a DataError.

    ``source`` only serves to name the file in error messages.
    """
    return _read_stream(io.BytesIO(raw), source, limit, digest)


def read_content(path: str | os.PathLike[str], limit: int = MAX_CONTENT,
                 digest: Any = None) -> bytearray:
    """Read a file and return its uncompressed content (gzip detected by magic bytes), at
    most ``limit`` bytes; ``digest`` (hashlib) sees the content as it streams."""
    try:
        with open(path, "rb") as fh:
            return _read_stream(fh, path, limit, digest)
    except OSError as exc:
        raise DataError(f"{path}: cannot read file ({exc.strerror or _one_line(exc)})") from None


def read_hashed(path: str | os.PathLike[str], limit: int = MAX_CONTENT) -> tuple[bytearray, str]:
    """(content, SHA-256 of the content) of a file, hashed while it is decompressed."""
    digest = hashlib.sha256()
    return read_content(path, limit, digest), digest.hexdigest()


def parse_idx(content: bytes | bytearray, source: str | os.PathLike[str]) -> np.ndarray:
    """Parse uncompressed IDX ``content`` into a writable, native-endian numpy array."""
    if len(content) < 4:
        raise DataError(f"{source}: truncated header: {len(content)} bytes, need at least 4")
    zero0, zero1, code, ndim = content[:4]
    if zero0 != 0 or zero1 != 0:
        raise DataError(
            f"{source}: not an IDX file (magic number {content[:4].hex()} "
            "does not start with two zero bytes)"
        )
    dtype = _DTYPES.get(code)
    if dtype is None:
        known = ", ".join(f"0x{c:02X}" for c in _DTYPES)
        raise DataError(f"{source}: unknown IDX dtype code 0x{code:02X} (known: {known})")
    if not 1 <= ndim <= _MAX_DIMS:
        raise DataError(f"{source}: unsupported number of dimensions {ndim} (expected 1..4)")
    header_len = 4 + 4 * ndim
    if len(content) < header_len:
        raise DataError(
            f"{source}: truncated header: {len(content)} bytes, need {header_len} for {ndim} dims"
        )
    dims = tuple(int(d) for d in np.frombuffer(content, dtype=">u4", count=ndim, offset=4))
    expected = math.prod(dims) * dtype.itemsize
    found = len(content) - header_len
    if found < expected:
        raise DataError(f"{source}: truncated: expected {expected} bytes of data, found {found}")
    if found > expected:
        raise DataError(
            f"{source}: trailing garbage: expected {expected} bytes of data, found {found}"
        )
    flat = np.frombuffer(content, dtype=dtype, offset=header_len)
    # astype copies: the result is writable and owns its memory, in native byte order.
    return flat.astype(dtype.newbyteorder("="), copy=True).reshape(dims)


def read_idx(path: str | os.PathLike[str], limit: int = MAX_CONTENT) -> np.ndarray:
    """Read an IDX file (raw or gzip-compressed, at most ``limit`` bytes uncompressed) into a
    numpy array.

    Raises :class:`DataError` for an unreadable, empty, corrupt, truncated or
    over-long file, naming the file in the message.
    """
    return parse_idx(read_content(path, limit), path)


def encode_idx(array: np.ndarray, target: str | os.PathLike[str] = "array") -> bytes:
    """Return the uncompressed IDX encoding of ``array`` (dtype among the six IDX types).

    ``target`` only serves to name the destination in error messages.
    """
    arr = np.asarray(array)
    code = next((c for c, dt in _DTYPES.items() if dt == arr.dtype.newbyteorder(">")), None)
    if code is None or arr.dtype.kind not in "uif":
        raise DataError(
            f"{target}: cannot write dtype {arr.dtype} as IDX "
            "(uint8, int8, int16, int32, float32 or float64 only)"
        )
    if not 1 <= arr.ndim <= _MAX_DIMS:
        raise DataError(f"{target}: cannot write a {arr.ndim}-dimensional array as IDX (1..4)")
    if any(d >= 2**32 for d in arr.shape):
        raise DataError(f"{target}: cannot write shape {arr.shape} as IDX (dims must be < 2**32)")
    header = bytes([0, 0, code, arr.ndim]) + np.asarray(arr.shape, dtype=">u4").tobytes()
    return header + np.ascontiguousarray(arr, dtype=_DTYPES[code]).tobytes()


def write_idx(path: str | os.PathLike[str], array: np.ndarray, compress: bool = True) -> Path:
    """Write ``array`` to ``path`` as an IDX file, gzip-compressed if ``compress``.

    The file is written atomically; the suffix of ``path`` is used as given (no ``.gz``
    is added). Returns the path written.
    """
    data = encode_idx(array, path)
    if compress:
        data = gzip.compress(data, compresslevel=6, mtime=0)
    try:
        return atomic_write_bytes(path, data)
    except OSError as exc:
        raise DataError(f"{path}: cannot write file ({exc.strerror or _one_line(exc)})") from None


def _one_line(exc: BaseException) -> str:
    """Return an exception's message squeezed onto one line."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
