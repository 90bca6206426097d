"""`ganforge pretrained list --dir` lists the sound records and skips each malformed one with
one warning line naming it (never a traceback)."""

import json
import shutil
from pathlib import Path

import pytest

import ganforge.pretrained
from ganforge.cli import main

SHIPPED = Path(ganforge.pretrained.__file__).parent


def _folder(tmp_path, damage):
    """A copy of mlp-mnist as good.json and as bad.json with `damage` applied to its record."""
    shutil.copy(SHIPPED / "mlp-mnist.json", tmp_path / "good.json")
    record = json.loads((SHIPPED / "mlp-mnist.json").read_text())
    damage(record)
    (tmp_path / "bad.json").write_text(json.dumps(record))
    return tmp_path


def _set(path, value):
    def damage(record):
        node = record
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return damage


@pytest.mark.parametrize("damage,reason", [
    (_set(["pretrained", "evaluation"], []), "'evaluation' must be an object"),
    (_set(["pretrained", "evaluation", "metrics"], 5), "'metrics' must be an object"),
    (_set(["pretrained", "evaluation", "metrics", "fd"], "abc"), "'fd' must be a number"),
    (_set(["pretrained", "evaluation", "metrics", "recall"], [1]), "'recall' must be a number"),
    (_set(["pretrained", "evaluation", "metrics", "coverage"], "x"),
     "'coverage' must be a whole number"),
    (_set(["pretrained", "evaluation", "alignment"], "x"), "'alignment' must be an object"),
    (_set(["pretrained", "evaluation", "alignment"], {"class": {}}), "'class' must be a number"),
    (_set(["pretrained", "name"], ["x"]), "'name' must be a string"),
    (_set(["pretrained"], []), "not a pretrained generator record"),
])
def test_a_malformed_record_is_skipped_with_one_warning(tmp_path, capsys, damage, reason):
    folder = _folder(tmp_path, damage)
    assert main(["pretrained", "list", "--dir", str(folder)]) == 0
    out, err = capsys.readouterr()
    warnings = err.strip().splitlines()
    assert len(warnings) == 1, err
    assert warnings[0].startswith("warning: ") and "bad.json" in warnings[0], warnings
    assert reason in warnings[0] and "skipped" in warnings[0]
    assert "mlp-mnist" in out  # the good record (its name is mlp-mnist) is listed


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe", b"[" * 200_000])
def test_an_unreadable_record_is_skipped_too(tmp_path, capsys, content):
    shutil.copy(SHIPPED / "mlp-mnist.json", tmp_path / "good.json")
    (tmp_path / "bad.json").write_bytes(content)
    assert main(["pretrained", "list", "--dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and "bad.json" in err and "skipped" in err
    assert "mlp-mnist" in out


def test_a_folder_of_only_bad_records_says_none_are_listed(tmp_path, capsys):
    (tmp_path / "bad.json").write_text('{"pretrained": {"evaluation": []}}')
    assert main(["pretrained", "list", "--dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert "no pretrained generators" in out and "bad.json" in err


@pytest.mark.parametrize("fd,shown", [(0.004321, "0.00432"), (0.25, "0.25"), (65.8234, "65.82")])
def test_a_small_fd_is_listed_with_its_significant_digits(tmp_path, capsys, fd, shown):
    record = json.loads((SHIPPED / "mlp-mnist.json").read_text())
    record["pretrained"]["evaluation"]["metrics"]["fd"] = fd
    (tmp_path / "small.json").write_text(json.dumps(record))
    assert main(["pretrained", "list", "--dir", str(tmp_path)]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if "mlp-mnist" in line)
    assert f" {shown} " in f" {row} ", row


def test_a_dir_that_is_not_a_folder_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    for given, why in ((tmp_path / "none", "no such folder"), (tmp_path / "file", "not a folder")):
        assert main(["pretrained", "list", "--dir", str(given)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [f"ganforge: error: --dir {given}: {why}"]
    assert main(["pretrained", "list", "--dir", str(tmp_path)]) == 0  # a folder with none
    assert "no pretrained generators in" in capsys.readouterr().out
