"""Sample files read by `ganforge evaluate --samples`: headers checked before any data is read,
sizes bounded, lying archives refused, bare .npy accepted; random headers never crash."""

import struct
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ganforge.errors import DataError
from ganforge.metrics.npz import read_npz_images
from tests.test_cli import _one_line_error, ganforge


def npy_bytes(header: dict | str, data: bytes = b"", version: int = 1) -> bytes:
    """A .npy file: magic, version, header length, the header text, then `data`."""
    text = (header if isinstance(header, str) else repr(header)).encode("latin1", "replace")
    text += b" " * (-(len(text) + 11) % 64) + b"\n"
    size = struct.pack("<H", len(text)) if version == 1 else struct.pack("<I", len(text))
    return b"\x93NUMPY" + bytes([version, 0]) + size + text + data


def npz_of(path, member: bytes, name: str = "images.npy", method=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", method) as archive:
        archive.writestr(name, member)
    return path


def images_header(n: int) -> dict:
    return {"descr": "|u1", "fortran_order": False, "shape": (n, 28, 28)}


def test_a_header_claiming_a_billion_images_is_refused_before_allocating(tmp_path):
    path = npz_of(tmp_path / "huge.npz", npy_bytes(images_header(10**9)))
    assert path.stat().st_size < 400
    with pytest.raises(DataError, match="1000000000 images; ganforge reads at most"):
        read_npz_images(path)


def test_a_member_declaring_gigabytes_uncompressed_is_refused(tmp_path):
    path = npz_of(tmp_path / "bomb.npz", npy_bytes(images_header(5), bytes(5 * 784)))
    raw = bytearray(path.read_bytes())
    central = raw.index(b"PK\x01\x02")  # the central directory entry: its size at +24
    raw[central + 24 : central + 28] = struct.pack("<I", 3_000_000_000)
    path.write_bytes(bytes(raw))
    with pytest.raises(DataError, match="declares 3000000000 bytes uncompressed"):
        read_npz_images(path)


def test_a_member_with_more_data_than_its_header_states_is_refused(tmp_path):
    member = npy_bytes(images_header(5), bytes(5 * 784 + 4_000_000))  # 4 MB more zeros
    path = npz_of(tmp_path / "long.npz", member, method=zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 50_000
    with pytest.raises(DataError, match="more data than its header states"):
        read_npz_images(path)


def test_truncated_data_is_refused(tmp_path):
    path = npz_of(tmp_path / "short.npz", npy_bytes(images_header(5), bytes(100)))
    with pytest.raises(DataError, match="truncated"):
        read_npz_images(path)


def test_a_bare_npy_is_read_like_an_npz(tmp_path):
    data = np.random.default_rng(0).integers(0, 256, (5, 28, 28, 3), dtype=np.uint8)
    np.save(tmp_path / "s.npy", data)
    images = read_npz_images(tmp_path / "s.npy", channels=3)
    assert images.shape == (5, 3, 28, 28)
    assert torch.equal(images, torch.from_numpy(data.transpose(0, 3, 1, 2).copy()))


def test_fortran_order_arrays_keep_their_values(tmp_path):
    data = np.asfortranarray(np.random.default_rng(1).integers(0, 256, (4, 28, 28), np.uint8))
    np.savez(tmp_path / "f.npz", images=data)
    assert torch.equal(read_npz_images(tmp_path / "f.npz")[:, 0], torch.from_numpy(data.copy()))


def test_pickled_object_arrays_are_never_loaded(tmp_path):
    header = {"descr": "|O", "fortran_order": False, "shape": (4, 28, 28)}
    path = npz_of(tmp_path / "obj.npz", npy_bytes(header, b"\x80\x04N."))
    with pytest.raises(DataError, match="must be uint8"):
        read_npz_images(path)


def test_two_images_are_refused_with_what_every_metric_needs(tmp_path):
    np.savez(tmp_path / "two.npz", images=np.zeros((2, 28, 28), np.uint8))
    _one_line_error(ganforge("evaluate", "--samples", tmp_path / "two.npz", "--dataset", "mnist"),
                    "need at least 4 images, got 2")


def test_the_minimum_is_what_kid_and_precision_recall_need():
    from ganforge.metrics.kid import kid
    from ganforge.metrics.precision_recall import precision_recall
    from ganforge.metrics.registry import min_samples

    n = min_samples("mnist")
    assert n == 4 and min_samples("stacked-mnist") == 1
    x = np.random.default_rng(0).standard_normal((n, 3))
    assert kid(x, x, subsets=2).subset_size == 2  # scores at the minimum...
    assert 0 <= precision_recall(x, x).precision <= 1
    with pytest.raises(ValueError):  # ...and not one below
        kid(x[: n - 1], x, subsets=2)


# --- random headers, shapes and dtypes: a result or one DataError line, nothing else ---------

_values = st.one_of(st.none(), st.booleans(), st.integers(-3, 2**40), st.text(max_size=6),
                    st.tuples(st.integers(-2, 2**33), st.sampled_from([28, 27, 1, 3])))
_descrs = st.sampled_from(["|u1", "<u1", ">u1", "|i1", "<f4", "|O", "<U3", "|V4", "|b1",
                           "u1", "<u2", "foo", "", "[('a', '<i4')]", "(2,)u1"])
_shapes = st.one_of(
    st.tuples(st.integers(-2, 2**33), st.sampled_from([28, 3]), st.sampled_from([28, 1])),
    st.tuples(st.integers(0, 6), st.just(28), st.just(28), st.sampled_from([1, 3, 4])),
    st.tuples(st.integers(0, 6), st.sampled_from([1, 3]), st.just(28), st.just(28)),
    st.lists(st.integers(-1, 40), max_size=5).map(tuple), _values)
_headers = st.one_of(
    st.fixed_dictionaries({"descr": _descrs, "fortran_order": st.one_of(st.booleans(), _values),
                           "shape": _shapes}),
    st.dictionaries(st.sampled_from(["descr", "fortran_order", "shape", "x"]), _values,
                    max_size=4),
    st.text(max_size=60))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=_headers, data=st.binary(max_size=64), zipped=st.booleans(),
       version=st.sampled_from([1, 2, 3]), full=st.booleans())
def test_random_npy_headers(tmp_path_factory, header, data, zipped, version, full):
    member = npy_bytes(header, data, version=min(version, 2))
    if version == 3:
        member = member[:6] + b"\x03\x00" + member[8:]
    if full and isinstance(header, dict) and isinstance(header.get("shape"), tuple):
        shape = header["shape"]
        if all(isinstance(d, int) and 0 <= d <= 64 for d in shape):
            member += bytes(int(np.prod(shape)) * 4)  # enough data for any small dtype
    folder = tmp_path_factory.mktemp("npy")
    path = npz_of(folder / "s.npz", member) if zipped else folder / "s.npy"
    if not zipped:
        path.write_bytes(member)
    try:
        images = read_npz_images(path, channels=1)
    except DataError as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)
    else:
        assert images.dtype == torch.uint8 and images.shape[1:] == (1, 28, 28)


@pytest.mark.parametrize("layout", ["nhwc", "nchw"])
def test_images_of_another_size_are_read_when_asked_for(tmp_path, layout):
    data = np.random.default_rng(2).integers(0, 256, (3, 3, 64, 64), dtype=np.uint8)
    np.savez(tmp_path / "s.npz", images=data.transpose(0, 2, 3, 1) if layout == "nhwc" else data)
    images = read_npz_images(tmp_path / "s.npz", channels=3, size=64)
    assert torch.equal(images, torch.from_numpy(data))
    with pytest.raises(DataError, match="images must be 28x28"):
        read_npz_images(tmp_path / "s.npz", channels=3)


def test_more_bytes_than_read_are_refused_from_the_header(tmp_path, monkeypatch):
    monkeypatch.setattr("ganforge.metrics.npz.MAX_DATA_BYTES", 64 * 64 * 3 * 2)
    header = {"descr": "|u1", "fortran_order": False, "shape": (3, 64, 64, 3)}
    path = npz_of(tmp_path / "big.npz", npy_bytes(header))
    with pytest.raises(DataError, match="bytes of images; ganforge reads at most"):
        read_npz_images(path, channels=3, size=64)
