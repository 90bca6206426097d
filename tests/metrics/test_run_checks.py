"""check_folder, the checks before a folder run is scored: a test split too small to score
against is one line, files changed since the evaluator was fitted a note; the evaluator's
record is read once for both. The record is written by hand (no evaluator is fitted)."""

from __future__ import annotations

import json

import pytest

from ganforge.errors import CheckpointError, ConfigError
from ganforge.metrics import fitted, run_checks
from ganforge.metrics.fitted import FORMAT, data_key, evaluator_path_for
from tests.data.folder.conftest import make_folder


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _record(folder, **more) -> None:
    """A classifier record for `folder` fitted at 16 px with a test fraction of 0.5."""
    home = evaluator_path_for(data_key(str(folder)))
    home.mkdir(parents=True)
    record = {"format": FORMAT, "config": {}, "sha256": "0" * 64,
              "prepare": {"image_size": 16, "test_fraction": 0.5}, **more}
    (home / "classifier.json").write_text(json.dumps(record))


@pytest.fixture
def reads(monkeypatch) -> list:
    """The records read (through either module's name for read_record)."""
    seen = []
    real = fitted.read_record

    def counting(path):
        seen.append(path)
        return real(path)

    monkeypatch.setattr(fitted, "read_record", counting)
    monkeypatch.setattr(run_checks, "read_record", counting)
    return seen


def test_changed_files_are_a_note_from_one_reading_of_the_record(tmp_path, capsys, reads):
    folder = make_folder(tmp_path / "pics", 24)
    _record(folder, content={"listing": "another listing"})
    run_checks.check_folder(str(folder), None)
    note = capsys.readouterr().err
    assert note.count(f"note: {folder}: its files are not those its evaluator was fitted on") \
        == 1 and "the folder has 12 training and 12 test images" in note  # as recorded
    assert len(reads) == 1


def test_a_small_test_split_is_refused_from_one_reading_of_the_record(tmp_path, reads):
    folder = make_folder(tmp_path / "pics", 12)
    _record(folder)
    with pytest.raises(ConfigError, match="its test split holds 6 image"):
        run_checks.check_folder(str(folder), None)
    assert len(reads) == 1


def test_a_folder_with_no_evaluator_or_a_built_in_set_is_not_checked(tmp_path, capsys, reads):
    run_checks.check_folder(str(make_folder(tmp_path / "pics", 12)), None)
    run_checks.check_folder("mnist", None)
    assert capsys.readouterr().err == "" and reads == []


def test_bad_preparation_settings_are_one_line(tmp_path):
    folder = make_folder(tmp_path / "pics", 12)
    _record(folder, prepare={"image_size": 3})
    with pytest.raises(CheckpointError, match="bad preparation settings"):
        run_checks.check_folder(str(folder), None)
