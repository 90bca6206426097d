"""Reading samples made by any program from an .npz (or a bare .npy) file, safely.

The file holds one uint8 array (named `images`, or the only array in the file) shaped
(N, H, W), (N, H, W, C) or (N, C, H, W) with C = 1 or 3: what `ganforge sample --format npz`
writes. Nothing is unpickled, and nothing is allocated before the array's .npy header has
been read and checked: its dtype, its shape (square images of the data set's size, 28x28
unless told, at most MAX_IMAGES of them and MAX_DATA_BYTES in all) and,
for a zip member, the uncompressed size the archive declares. The data itself is read as a
bounded stream, so an archive that lies about its sizes (a zip bomb) cannot make ganforge
read more than the header asked for. Every problem is a one-line DataError naming the file.
"""

from __future__ import annotations

import math
import tokenize
import zipfile
from pathlib import Path
from typing import IO

import numpy as np
import torch

from ganforge.errors import DataError, cut

IMAGE_SIZE = 28  # the size read unless the caller says another (the MNIST sets')
MAX_IMAGES = 100_000  # more than any evaluation needs (26,000 for stacked MNIST)
MAX_DATA_BYTES = 2**31  # 2 GiB: 100,000 RGB images of 64x64 take 1.2 GB
MAX_HEADER_BYTES = 10_000  # numpy's own limit on a .npy header
NPY_MAGIC = b"\x93NUMPY"
Wanted = tuple[int, int, int]  # (channels, size, fewest images) a caller asks for


def _header(stream: IO[bytes], where: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) of the .npy header at the start of `stream`."""
    fmt = np.lib.format
    try:
        version = fmt.read_magic(stream)
        if version == (1, 0):
            return fmt.read_array_header_1_0(stream, max_header_size=MAX_HEADER_BYTES)
        if version == (2, 0):
            return fmt.read_array_header_2_0(stream, max_header_size=MAX_HEADER_BYTES)
    except (ValueError, TypeError, OverflowError, KeyError, SyntaxError, EOFError,
            RecursionError, MemoryError, tokenize.TokenError, zipfile.BadZipFile,
            OSError) as exc:  # numpy parses the header with ast: any of these for junk
        raise DataError(f"{where}: not a readable .npy header ({_first_line(exc)})") from None
    raise DataError(f"{where}: .npy format version {version[0]}.{version[1]} is not read "
                    "(1.0 and 2.0 are)")


def image_shape(shape: tuple[int, ...], where: str, channels: int, size: int = IMAGE_SIZE
                ) -> tuple[int, ...]:
    """The (N, C, H, W) shape of size x size images stored as (N, H, W), (N, H, W, C) or
    (N, C, H, W)."""
    if len(shape) == 3:
        shape = (shape[0], 1, *shape[1:])
    elif len(shape) == 4 and shape[-1] in (1, 3) and shape[1] == size:
        shape = (shape[0], shape[3], shape[1], shape[2])
    if len(shape) != 4 or shape[2:] != (size, size):
        raise DataError(f"{where}: images must be {size}x{size}, shaped (N, H, W), "
                        f"(N, H, W, C) or (N, C, H, W); got {cut(str(shape))}")
    if shape[1] != channels:
        raise DataError(f"{where}: images have {shape[1]} channel(s); this data set has "
                        f"{channels}")
    return shape


def _check(shape: tuple[int, ...], dtype: np.dtype, where: str, want: Wanted) -> None:
    channels, size, min_images = want
    if dtype != np.uint8:
        raise DataError(f"{where}: images must be uint8 (0..255), got dtype {cut(str(dtype))}")
    count = image_shape(shape, where, channels, size)[0]
    if count < min_images:
        raise DataError(f"{where}: need at least {min_images} images, got {count}")
    if count > MAX_IMAGES:
        raise DataError(f"{where}: {count} images; ganforge reads at most {MAX_IMAGES}")
    if math.prod(shape) > MAX_DATA_BYTES:
        raise DataError(f"{where}: {math.prod(shape)} bytes of images; ganforge reads at most "
                        f"{MAX_DATA_BYTES}")


def _read_array(stream: IO[bytes], where: str, want: Wanted,
                declared: int | None = None) -> np.ndarray:
    """The checked array of the .npy in `stream`, reading at most what its header states.
    `declared`: the stream's total size as its container states it (refused if smaller)."""
    shape, fortran, dtype = _header(stream, where)
    _check(shape, dtype, where, want)
    nbytes = math.prod(shape)
    if declared is not None and declared < nbytes:
        raise DataError(f"{where}: truncated: the header asks for {nbytes} bytes of data, the "
                        f"file holds at most {declared}")
    try:
        data = stream.read(nbytes)
        extra = stream.read(1)
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as exc:
        raise DataError(f"{where}: corrupt data ({_first_line(exc)})") from None
    if len(data) != nbytes:
        raise DataError(f"{where}: truncated: {len(data)} bytes of data, the header asks for "
                        f"{nbytes}")
    if extra:
        raise DataError(f"{where}: more data than its header states ({nbytes} bytes)")
    return np.frombuffer(data, np.uint8).reshape(shape, order="F" if fortran else "C")


def _member(archive: zipfile.ZipFile, path: Path) -> zipfile.ZipInfo:
    """The zip member holding the images: `images.npy`, or the only member."""
    members = [m for m in archive.infolist() if not m.is_dir()]
    named = [m for m in members if m.filename == "images.npy"]
    if named:
        return named[0]
    if len(members) == 1:
        return members[0]
    names = ", ".join(m.filename.removesuffix(".npy") for m in members[:10])
    more = f" and {len(members) - 10} more" if len(members) > 10 else ""
    raise DataError(f"{path}: no array named 'images' (found: {cut(names)}{more})")


def _from_zip(path: Path, want: Wanted) -> np.ndarray:
    with zipfile.ZipFile(path) as archive:
        member = _member(archive, path)
        where = f"{path}: member {cut(member.filename)}"
        limit = MAX_DATA_BYTES + MAX_HEADER_BYTES + 16
        if member.flag_bits & 0x1:  # zipfile would ask for a password (a RuntimeError)
            raise DataError(f"{where} is encrypted; ganforge reads only unencrypted archives")
        if member.file_size > limit:
            raise DataError(f"{where} declares {member.file_size} bytes uncompressed; ganforge "
                            f"reads at most {limit}")
        with archive.open(member) as stream:
            return _read_array(stream, where, want, member.file_size)


def _load_array(path: Path, want: Wanted) -> np.ndarray:
    """The image array of an .npz or .npy file, checked before its data is read."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        with open(path, "rb") as fh:
            if fh.read(len(NPY_MAGIC)) == NPY_MAGIC:
                fh.seek(0)
                return _read_array(fh, str(path), want)
        return _from_zip(path, want)
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, NotImplementedError) as exc:
        raise DataError(f"{path}: not a readable .npz of images ({_first_line(exc)})") from None


def read_npz_images(path: Path | str, channels: int = 1, min_images: int = 2,
                    size: int = IMAGE_SIZE) -> torch.Tensor:
    """uint8 images (N, C, size, size) from an .npz (or .npy) file of at least `min_images`."""
    path = Path(path)
    array = _load_array(path, (channels, size, min_images))
    shape = image_shape(array.shape, str(path), channels, size)
    if array.ndim == 3:
        array = array[:, None]
    elif array.shape[1:] != shape[1:]:
        array = array.transpose(0, 3, 1, 2)
    return torch.from_numpy(np.array(array, order="C"))  # a writable copy, (N, C, H, W)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return cut(text.splitlines()[0]) if text else type(exc).__name__
