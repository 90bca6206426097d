"""Reading one numeric vector from a MATLAB v5 file (imagelabels.mat, setid.mat) with every
size bounded before anything is allocated.

scipy's loadmat builds whatever a file describes (strings, cells, structs, sparse arrays, and
a compressed array of any declared size), so a 1 MB file can ask for gigabytes. This reader
walks the file's elements itself: the file is a regular file of at most MAX_FILE_BYTES; only
the variable asked for is decoded (others are skipped by their byte counts, a compressed one
without decompressing it); a compressed element is inflated to at most MAX_INFLATED bytes;
the variable must be a real, non-sparse numeric 1 x N or N x 1 array of at most `max_len`
whole numbers. Anything else is a one-line DataError naming the file and the variable.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

from ganforge.errors import DataError
from ganforge.fileio import read_regular

MAX_FILE_BYTES = 1 << 20  # Oxford's files: 502 and 14,989 bytes
MAX_INFLATED = 4 << 20  # a decompressed variable (100,000 doubles = 800 KB)
MI_MATRIX, MI_COMPRESSED = 14, 15
# data element types -> numpy types (miINT8 .. miUINT64)
NUMERIC = {1: "i1", 2: "u1", 3: "i2", 4: "u2", 5: "i4", 6: "u4", 7: "f4", 9: "f8",
           12: "i8", 13: "u8"}
CLASSES = {1: "a cell array", 2: "a struct", 3: "an object", 4: "a string", 5: "a sparse array"}
NUMERIC_CLASSES = range(6, 16)  # mxDOUBLE .. mxUINT64


class _Bad(Exception):
    """What is wrong with the variable (or the file)."""


def _elements(data: bytes, order: str):
    """(type, payload) of each data element in `data` (small elements unpacked)."""
    at = 0
    while at + 8 <= len(data):
        kind, size = struct.unpack_from(order + "II", data, at)
        if kind >> 16:  # small data element: size in the upper half, 4 bytes of data
            yield kind & 0xFFFF, data[at + 4 : at + 4 + (kind >> 16)]
            at += 8
            continue
        if at + 8 + size > len(data):
            raise _Bad(f"an element of {size} bytes runs past the end")
        yield kind, data[at + 8 : at + 8 + size]
        at += 8 + (size if kind == MI_COMPRESSED else (size + 7) // 8 * 8)


def _inflate(payload: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(payload, MAX_INFLATED + 1)
    except zlib.error as exc:
        raise _Bad(f"a compressed element is damaged ({exc})") from None
    if len(out) > MAX_INFLATED or inflater.unconsumed_tail:
        raise _Bad(f"a compressed element inflates past {MAX_INFLATED} bytes")
    return out


def _matrix(payload: bytes, order: str) -> tuple[str, tuple[int, ...], int, bytes, bool]:
    """(name, dims, class, real part, complex) of a miMATRIX payload."""
    parts = list(_elements(payload, order))
    if len(parts) < 3 or len(parts[0][1]) < 8:
        return "", (), 0, b"", False
    flags = struct.unpack_from(order + "I", parts[0][1])[0]
    dims_type, dims_raw = parts[1]
    count = len(dims_raw) // 4
    dims = struct.unpack_from(order + f"{count}i", dims_raw) if dims_type == 5 else ()
    name = parts[2][1].decode("latin-1")
    real = parts[3] if len(parts) > 3 else (0, b"")
    return name, tuple(dims), flags & 0xFF, real, bool(flags & 0x800)


def _vector(matrix, key: str, max_len: int, order: str) -> np.ndarray:
    name, dims, cls, (kind, raw), complex_ = matrix
    if cls in CLASSES:
        raise _Bad(f"{key!r} is {CLASSES[cls]}, not a vector of numbers")
    if cls not in NUMERIC_CLASSES or complex_ or kind not in NUMERIC:
        raise _Bad(f"{key!r} is not a real numeric array")
    if len(dims) != 2 or not 0 <= min(dims) <= 1:
        raise _Bad(f"{key!r} must be 1 x N, got {' x '.join(map(str, dims))}")
    length = max(dims) if min(dims) == 1 else 0
    if length > max_len:
        raise _Bad(f"{key!r} holds {length} values; at most {max_len} are read")
    dtype = np.dtype(NUMERIC[kind]).newbyteorder(order)
    if len(raw) != length * dtype.itemsize:
        raise _Bad(f"{key!r}: {len(raw)} bytes of data for {length} values")
    values = np.frombuffer(raw, dtype)
    if not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
        raise _Bad(f"{key!r} holds values that are not whole numbers")
    return values.astype(np.int64)


def read_vector(path: Path, key: str, max_len: int) -> np.ndarray:
    """Variable `key` of the MATLAB v5 file `path` as 1-D int64 (see the module's bounds)."""
    data = read_regular(path, MAX_FILE_BYTES, "MATLAB file")
    if len(data) < 128 or data[126:128] not in (b"IM", b"MI"):
        raise DataError(f"{path}: not a readable MATLAB file (no MATLAB 5 header)")
    order = "<" if data[126:128] == b"IM" else ">"
    try:
        for kind, payload in _elements(data[128:], order):
            if kind == MI_COMPRESSED:
                inner = list(_elements(_inflate(payload), order))
                if not inner:
                    continue
                kind, payload = inner[0]
            if kind == MI_MATRIX:
                matrix = _matrix(payload, order)
                if matrix[0] == key:
                    return _vector(matrix, key, max_len, order)
    except (_Bad, struct.error, ValueError) as exc:
        raise DataError(f"{path}: {exc}") from None
    raise DataError(f"{path}: has no array {key!r}")
