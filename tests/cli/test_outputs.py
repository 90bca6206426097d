"""Commands never replace a device, a link or a folder at an output path, and an output path
under a file or in a read-only place is one line (exit 2), the user's files untouched."""

import os
import stat
from pathlib import Path

import pytest

import ganforge.pretrained
from ganforge.cli import main

SAMPLE = ["sample", "--pretrained", "mlp-mnist", "-n", "2"]


def _one_line(capsys, fragment):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0], err
    assert err[0].startswith("ganforge: error: ")


def test_sample_over_a_device_is_refused_and_the_device_stays(capsys):
    before = os.lstat("/dev/full")
    assert main([*SAMPLE, "--out", "/dev/full"]) == 2
    _one_line(capsys, "/dev/full: a character device; ganforge replaces only regular files")
    after = os.lstat("/dev/full")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_sample_over_a_symlink_is_refused(tmp_path, capsys):
    (tmp_path / "mine.txt").write_text("keep")
    (tmp_path / "grid.png").symlink_to(tmp_path / "mine.txt")
    assert main([*SAMPLE, "--out", str(tmp_path / "grid.png")]) == 2
    _one_line(capsys, "grid.png: a symbolic link")
    assert (tmp_path / "grid.png").is_symlink() and (tmp_path / "mine.txt").read_text() == "keep"


@pytest.mark.parametrize("fmt,out,fragment", [
    ("png", "file/grid.png", "file: not a folder"),
    ("npz", "file/a/b.npz", "a: cannot be a folder"),
    ("png-dir", "file", "file: not a folder"),
    ("png", ".", ": a folder; ganforge replaces only regular files"),
])
def test_sample_to_an_unusable_path_is_one_line(tmp_path, capsys, fmt, out, fragment):
    (tmp_path / "file").write_text("keep")
    assert main([*SAMPLE, "--format", fmt, "--out", str(tmp_path / out)]) == 2
    _one_line(capsys, fragment)
    assert (tmp_path / "file").read_text() == "keep"


@pytest.mark.parametrize("where", ["file", "file/sub"])
def test_export_into_a_file_is_refused_before_evaluating(tmp_path, capsys, where):
    (tmp_path / "file").write_text("keep")
    checkpoint = str(Path(ganforge.pretrained.__file__).parent / "mlp-mnist.json")
    assert main(["pretrained", "export", checkpoint, "x", "--dir", str(tmp_path / where)]) == 2
    _one_line(capsys, "not a folder")
    assert (tmp_path / "file").read_text() == "keep"


@pytest.mark.parametrize("json_path,fragment", [
    ("/dev/full", "/dev/full: a character device"),
    ("{tmp}", ": a folder; ganforge replaces only regular files"),
    ("{tmp}/file/x.json", "file is not a folder"),
    ("{tmp}/file/a/x.json", "file is not a folder"),
])
def test_evaluate_json_to_an_unusable_path_is_refused_before_scoring(tmp_path, capsys,
                                                                     json_path, fragment):
    (tmp_path / "file").write_text("keep")
    checkpoint = str(Path(ganforge.pretrained.__file__).parent / "mlp-mnist.json")
    assert main(["evaluate", checkpoint, "--json", json_path.format(tmp=tmp_path)]) == 2
    _one_line(capsys, fragment)
    assert (tmp_path / "file").read_text() == "keep"
    assert stat.S_ISCHR(os.lstat("/dev/full").st_mode)
