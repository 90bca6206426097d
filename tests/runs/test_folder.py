"""The run folder: whole metrics lines only, bad lines named, temporaries of killed writes
removed, and the run folder a checkpoint belongs to."""

import errno

import pytest

from ganforge.errors import DataError, DiskFullError
from ganforge.runs.folder import RunFolder, run_folder_of


def test_a_full_disk_never_leaves_half_a_metrics_line(tmp_path, monkeypatch):
    folder = RunFolder(tmp_path)
    folder.append_records([{"step": 1}])
    before = folder.metrics.read_bytes()

    class HalfThenFull:
        def __init__(self, path, mode):
            self.file = open(path, mode)  # noqa: SIM115 - closed in __exit__

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, data):
            self.file.write(data[: len(data) // 2])
            self.file.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("ganforge.runs.folder.open", HalfThenFull, raising=False)
    with pytest.raises(DiskFullError, match=r"metrics.jsonl: disk full \(writing it needs"):
        folder.append_records([{"step": 2, "g_loss": 1.5}])
    monkeypatch.undo()
    assert folder.metrics.read_bytes() == before


def test_bad_utf8_or_json_lines_are_named(tmp_path):
    folder = RunFolder(tmp_path)
    folder.metrics.write_bytes(b'{"step": 1}\n{"step": \xff}\n{"step": 3}\n')
    with pytest.raises(DataError, match=r"metrics.jsonl:2: not a JSON record"):
        folder.read_records()
    folder.metrics.write_bytes(b'{"step": 1}\n' + b"[" * 100_000 + b"\n{}\n")
    with pytest.raises(DataError, match=r"metrics.jsonl:2: not a JSON record"):
        folder.read_records()


def test_truncate_keeps_whole_records_and_refuses_bad_ones(tmp_path):
    folder = RunFolder(tmp_path)
    folder.metrics.write_bytes(b'{"step": 1}\n\n{"step": 2}\n{"step": 3}\n')
    folder.truncate_records(2)
    assert [r["step"] for r in folder.read_records()] == [1, 2]
    folder.metrics.write_bytes(b'{"step": 1}\nnot json\n{"step": 3}\n')
    with pytest.raises(DataError, match=":2:"):
        folder.truncate_records(3)
    assert folder.metrics.read_bytes() == b'{"step": 1}\nnot json\n{"step": 3}\n'


def test_stale_temporaries_are_only_ganforge_ones(tmp_path):
    folder = RunFolder(tmp_path)
    folder.checkpoints.mkdir()
    ours = [tmp_path / ".metrics.jsonl.ab12cd34.tmp",
            folder.checkpoints / ".step_0000002.safetensors.x_y_z_12.tmp"]
    others = [tmp_path / "mine.tmp", tmp_path / ".metrics.jsonl.tmp",
              folder.checkpoints / ".step_0000002.json.toolong123.tmp"]
    for path in ours + others:
        path.write_text("x")
    (tmp_path / ".link.json.ab12cd34.tmp").symlink_to(tmp_path / "mine.tmp")
    assert sorted(folder.remove_stale_temporaries()) == sorted(ours)
    assert all(p.exists() for p in others) and (tmp_path / ".link.json.ab12cd34.tmp").is_symlink()


def test_the_run_folder_of_a_checkpoint(tmp_path):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "config.toml").write_text("")
    loose = tmp_path / "a" / "b"
    loose.mkdir(parents=True)
    assert run_folder_of(run) == run
    assert run_folder_of(run / "checkpoints" / "final.json") == run
    assert run_folder_of(loose / "final.json") is None
    assert run_folder_of(tmp_path / "a") is None
