"""Tests for ganforge.data.locate and the IDX file specs: search order, downloads, checks."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ganforge.data.dispatch import check, list_datasets
from ganforge.data.idx import encode_idx, write_idx
from ganforge.data.idx_specs import DATASETS, ROLES
from ganforge.data.locate import find_files, search_dirs, verify_file
from ganforge.data.registry import get_spec
from ganforge.errors import DataError
from ganforge.fileio import cache_root


def test_registry_specs() -> None:
    assert set(DATASETS) >= {"mnist", "fashion-mnist"}
    mnist = get_spec("MNIST")
    assert mnist.classes == tuple("0123456789")
    assert mnist.train_images.shape == (60000, 28, 28) and mnist.test_labels.shape == (10000,)
    fashion = get_spec("fashion_mnist")
    assert fashion.classes[0] == "T-shirt/top" and fashion.classes[-1] == "Ankle boot"
    assert fashion.system_dirs == ("/usr/share/datasets/fashion-mnist",)
    for spec in (mnist, fashion):
        assert all(len(f.sha256) == 64 for f in spec.files().values())
        assert all(m.endswith("/") for m in spec.mirrors)


def test_unknown_dataset_lists_known_names() -> None:
    with pytest.raises(DataError, match="known data sets: mnist, fashion-mnist, stacked-mnist"):
        get_spec("cifar")


def test_search_dirs_order(tiny: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GANFORGE_DATA", str(tmp_path / "env"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    dirs = search_dirs("tiny", tmp_path / "arg")
    assert dirs == [
        tmp_path / "arg" / "tiny", tmp_path / "arg",
        tmp_path / "env" / "tiny", tmp_path / "env",
        tmp_path / "xdg" / "ganforge" / "tiny", tmp_path / "xdg" / "ganforge",
        tmp_path / "system" / "tiny",
    ]


def test_cache_root_home_and_xdg(isolated_env: Path, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert cache_root() == isolated_env / ".cache" / "ganforge"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "ganforge"


def test_data_dir_beats_env_beats_cache(tiny: Any, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    arg = tiny.write(tmp_path / "arg" / "tiny")
    env = tiny.write(tmp_path / "env")  # files directly in the root
    cache = tiny.write(cache_root() / "tiny")
    tiny.write(tmp_path / "system" / "tiny")
    monkeypatch.setenv("GANFORGE_DATA", str(tmp_path / "env"))
    assert find_files("tiny", tmp_path / "arg")["train_images"].parent == arg
    assert find_files("tiny")["test_labels"].parent == env
    monkeypatch.delenv("GANFORGE_DATA")
    assert find_files("tiny")["train_labels"].parent == cache


def test_system_dir_and_raw_files(tiny: Any, tmp_path: Path) -> None:
    system = tiny.write(tmp_path / "system" / "tiny", compress=False)
    files = find_files("tiny", download=False)
    assert set(files) == set(ROLES)
    assert files["train_images"] == system / "train-images-idx3-ubyte"


def test_incomplete_folder_is_skipped(tiny: Any, tmp_path: Path) -> None:
    tiny.write(tmp_path / "arg" / "tiny", roles=("train_images", "train_labels", "test_images"))
    full = tiny.write(tmp_path / "arg")
    assert find_files("tiny", tmp_path / "arg")["test_images"].parent == full


def _mirror(tiny: Any, folder: Path) -> str:
    """Write the tiny files as a mirror would serve them; return its file:// URL."""
    tiny.write(folder, compress=True)
    return folder.as_uri() + "/"


def _leftovers(folder: Path) -> list[str]:
    """Names of files in ``folder`` (temp files included), or [] if it does not exist."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_from_file_mirror(tiny: Any, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    dead = (tmp_path / "dead").as_uri()  # first mirror fails, second one works
    monkeypatch.setenv("GANFORGE_MIRRORS", f"{dead}, {_mirror(tiny, tmp_path / 'mirror')}")
    files = find_files("tiny")
    target = cache_root() / "tiny"
    assert all(p.parent == target for p in files.values())
    assert _leftovers(target) == sorted(f.gz_name for f in tiny.spec.files().values())
    for role, path in files.items():
        assert verify_file(path, tiny.spec.files()[role])
    monkeypatch.setenv("GANFORGE_MIRRORS", dead)  # now found in the cache, no download
    assert find_files("tiny") == files


def test_download_from_plain_folder_mirror(tiny: Any, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    tiny.write(tmp_path / "mirror")
    monkeypatch.setenv("GANFORGE_MIRRORS", str(tmp_path / "mirror"))
    assert find_files("tiny")["train_images"].parent == cache_root() / "tiny"


def test_download_checksum_failure_leaves_nothing(tiny: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    url = _mirror(tiny, tmp_path / "mirror")
    bad = tmp_path / "mirror" / "train-images-idx3-ubyte.gz"
    write_idx(bad, np.zeros((12, 5, 5), np.uint8), compress=True)
    monkeypatch.setenv("GANFORGE_MIRRORS", url)
    with pytest.raises(DataError) as info:
        find_files("tiny")
    message = str(info.value)
    assert "\n" not in message
    assert "data set 'tiny' not found" in message
    assert f"download from {url} failed" in message
    assert "train-images-idx3-ubyte.gz" in message and "checksum mismatch" in message
    assert _leftovers(cache_root() / "tiny") == []


def test_download_corrupt_gzip_on_mirror(tiny: Any, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    url = _mirror(tiny, tmp_path / "mirror")
    label_file = tmp_path / "mirror" / "t10k-labels-idx1-ubyte.gz"
    label_file.write_bytes(label_file.read_bytes()[:-6])
    monkeypatch.setenv("GANFORGE_MIRRORS", url)
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz.*corrupt gzip"):
        find_files("tiny")
    # The three good files were stored whole; nothing partial is left behind.
    assert len(_leftovers(cache_root() / "tiny")) == 3


def test_not_found_lists_places(tiny: Any, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GANFORGE_NO_DOWNLOAD", "1")
    monkeypatch.setenv("GANFORGE_DATA", str(tmp_path / "env"))
    with pytest.raises(DataError) as info:
        find_files("tiny", tmp_path / "arg")
    message = str(info.value)
    assert message.startswith("data set 'tiny' not found; looked in: ")
    for folder in search_dirs("tiny", tmp_path / "arg"):
        assert str(folder) in message
    assert "GANFORGE_NO_DOWNLOAD" in message and "\n" not in message


def test_default_mirror_failure_is_reported(tiny: Any) -> None:
    with pytest.raises(DataError, match="download from file:///nonexistent-ganforge-mirror/ "
                                        "failed: train-images-idx3-ubyte.gz: "):
        find_files("tiny")


def test_download_false_never_downloads(tiny: Any, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GANFORGE_MIRRORS", _mirror(tiny, tmp_path / "mirror"))
    with pytest.raises(DataError, match="not found"):
        find_files("tiny", download=False)
    with pytest.raises(DataError, match="not found"):
        check("tiny")
    entry = next(e for e in list_datasets() if e["name"] == "tiny")
    assert entry["found"] is False and entry["location"] == "not found"
    assert _leftovers(cache_root() / "tiny") == []


def test_verify_file(tiny: Any, tmp_path: Path) -> None:
    folder = tiny.write(tmp_path / "d")
    fspec = tiny.spec.train_labels
    assert verify_file(folder / fspec.gz_name, fspec)
    assert not verify_file(folder / tiny.spec.test_labels.gz_name, fspec)
    (tmp_path / "broken.gz").write_bytes(b"\x1f\x8b\x08junk")
    with pytest.raises(DataError, match="broken.gz: corrupt gzip"):
        verify_file(tmp_path / "broken.gz", fspec)


def test_check_reports_each_file(tiny: Any, tmp_path: Path) -> None:
    folder = tiny.write(tmp_path / "d")
    reports = check("tiny", folder)
    assert [r["role"] for r in reports] == list(ROLES)
    assert all(r["ok"] and r["error"] is None for r in reports)
    assert reports[0]["shape"] == (12, 5, 5)
    # One altered file (right shape, wrong content), one corrupt file.
    write_idx(folder / "t10k-images-idx3-ubyte.gz", np.ones((4, 5, 5), np.uint8))
    labels = folder / "train-labels-idx1-ubyte.gz"
    labels.write_bytes(gzip.compress(encode_idx(tiny.arrays["train_labels"]))[:-4])
    by_role = {r["role"]: r for r in check("tiny", folder)}
    altered, corrupt = by_role["test_images"], by_role["train_labels"]
    assert altered["shape_ok"] and not altered["sha256_ok"] and not altered["ok"]
    assert "checksum mismatch" in str(altered["error"])
    assert corrupt["shape"] is None and "corrupt gzip" in str(corrupt["error"])
    assert by_role["train_images"]["ok"] and by_role["test_labels"]["ok"]


def test_list_datasets(tiny: Any, tmp_path: Path) -> None:
    folder = tiny.write(tmp_path / "root" / "tiny")
    entries = {e["name"]: e for e in list_datasets(tmp_path / "root")}
    assert {"mnist", "fashion-mnist", "tiny"} <= set(entries)
    assert entries["tiny"]["found"] and entries["tiny"]["location"] == str(folder)
    assert (entries["tiny"]["train"], entries["tiny"]["test"]) == (12, 4)
    assert entries["mnist"]["train"] == 60000 and entries["mnist"]["test"] == 10000


def test_check_real_fashion_mnist(real_data_root: Path) -> None:
    reports = check("fashion-mnist")
    assert len(reports) == 4
    for report in reports:
        assert report["ok"], report["error"]
        assert Path(str(report["path"])).parent == real_data_root / "fashion-mnist"


def test_a_gzip_bomb_in_the_data_folder_is_refused_at_the_registered_size(
        tiny: Any, tmp_path: Path) -> None:
    folder = tiny.write(tmp_path / "d")
    fspec = tiny.spec.train_labels
    (folder / fspec.gz_name).write_bytes(gzip.compress(bytes(32 * 2**20)))
    with pytest.raises(DataError, match=f"more than {fspec.content_bytes} bytes uncompressed"):
        verify_file(folder / fspec.gz_name, fspec)
    report = {r["role"]: r for r in check("tiny", folder)}["train_labels"]
    assert not report["ok"] and "more than" in str(report["error"])


def test_a_gzip_bomb_on_a_mirror_is_refused(tiny: Any, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    url = _mirror(tiny, tmp_path / "mirror")
    name = tiny.spec.test_labels.gz_name
    (tmp_path / "mirror" / name).write_bytes(gzip.compress(bytes(3 * 2**20), 9))  # 3 KB
    monkeypatch.setenv("GANFORGE_MIRRORS", url)
    limit = tiny.spec.test_labels.content_bytes
    with pytest.raises(DataError, match=f"{name}: .*more than {limit} bytes uncompressed"):
        find_files("tiny")


def test_a_mirror_file_larger_than_the_registered_one_is_not_downloaded(
        tiny: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = _mirror(tiny, tmp_path / "mirror")
    name = tiny.spec.test_labels.gz_name
    (tmp_path / "mirror" / name).write_bytes(np.random.default_rng(0).bytes(2**20))
    monkeypatch.setenv("GANFORGE_MIRRORS", url)
    with pytest.raises(DataError, match=f"{name}: .*more than the 4108 this file may take"):
        find_files("tiny")
