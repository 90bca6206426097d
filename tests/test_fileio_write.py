"""fileio.atomic_write replaces only a regular file: a device, a link, a folder, a FIFO or a
socket at the path, a path under a file and a folder it cannot write in are one-line
OutputErrors, and nothing at the path changes."""

import errno
import os
import socket
import stat
import tempfile

import pytest

from ganforge.errors import GanforgeError, OutputError
from ganforge.fileio import atomic_write_bytes, atomic_write_json, output_folder


def test_a_regular_file_is_replaced_and_a_missing_one_made(tmp_path):
    (tmp_path / "a.json").write_text("old")
    atomic_write_json(tmp_path / "a.json", {"x": 1})
    assert '"x": 1' in (tmp_path / "a.json").read_text()
    atomic_write_bytes(tmp_path / "new" / "deeper" / "b.bin", b"ok")
    assert (tmp_path / "new" / "deeper" / "b.bin").read_bytes() == b"ok"


def test_a_symlink_is_refused_and_neither_it_nor_its_target_changes(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "out.json"
    link.symlink_to(victim)
    with pytest.raises(OutputError, match=r"out.json: a symbolic link; ganforge replaces only"):
        atomic_write_json(link, {"x": 1})
    assert link.is_symlink() and victim.read_text() == "precious"


def test_a_device_node_is_refused_and_stays_a_device(tmp_path):
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("cannot make a device node here")
    with pytest.raises(OutputError, match="a character device"):
        atomic_write_bytes(node, b"PNG")
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_dev_full_is_refused_before_anything_is_written():
    before = os.lstat("/dev/full")
    with pytest.raises(OutputError, match="/dev/full: a character device"):
        atomic_write_json("/dev/full", {"x": 1})
    after = os.lstat("/dev/full")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_a_fifo_a_socket_and_a_folder_are_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(OutputError, match="pipe: a FIFO"):
        atomic_write_bytes(tmp_path / "pipe", b"x")
    (tmp_path / "dir").mkdir()
    with pytest.raises(OutputError, match="dir: a folder"):
        atomic_write_bytes(tmp_path / "dir", b"x")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "sock"))
        with pytest.raises(OutputError, match="sock: a socket"):
            atomic_write_bytes(tmp_path / "sock", b"x")
    assert stat.S_ISFIFO(os.lstat(tmp_path / "pipe").st_mode) and (tmp_path / "dir").is_dir()


def test_a_path_under_a_file_is_one_line(tmp_path):
    (tmp_path / "file").write_text("keep")
    with pytest.raises(OutputError, match=r"file(: | is )not a folder"):
        atomic_write_json(tmp_path / "file" / "x.json", {})
    with pytest.raises(OutputError, match=r"file(: | is )not a folder"):
        atomic_write_json(tmp_path / "file" / "a" / "b" / "x.json", {})
    with pytest.raises(OutputError, match=r"file: not a folder"):
        output_folder(tmp_path / "file")
    assert (tmp_path / "file").read_text() == "keep"


def test_a_read_only_folder_is_one_line(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(OutputError, match=r"cannot write in .*: read-only file system"):
        atomic_write_json(tmp_path / "x.json", {})


def test_a_folder_it_may_not_create_is_one_line(tmp_path, monkeypatch):
    real_mkdir = os.mkdir

    def denied(path, *args, **kwargs):
        if "forbidden" in str(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", denied)
    with pytest.raises(OutputError, match=r"forbidden: cannot create the folder "
                                          r"\(permission denied\)"):
        atomic_write_json(tmp_path / "forbidden" / "x.json", {})


def test_output_errors_are_ganforge_errors():
    assert issubclass(OutputError, GanforgeError)


def test_check_output_refuses_a_read_only_folder_and_creates_nothing(tmp_path, monkeypatch):
    from ganforge.fileio import check_output

    assert check_output(tmp_path / "new" / "x.json") == tmp_path / "new" / "x.json"
    assert not (tmp_path / "new").exists()
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(OutputError, match=r"cannot write in .* \(read-only or permission"):
        check_output(tmp_path / "new" / "x.json")
    with pytest.raises(OutputError, match=r"cannot write in it \(read-only"):
        output_folder(tmp_path)
