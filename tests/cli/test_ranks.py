"""Under torchrun every process runs the same command: a refusal (one line, exit code 2) is
said by the writer (RANK 0) alone, the other ranks leave with exit code 2 in silence; a
refusal of one process's own (its LOCAL_RANK) is said by that process, whatever its rank.
torchrun is not started: its environment is set."""

from __future__ import annotations

import pytest

from ganforge.cli import data as data_cli
from ganforge.cli import main
from ganforge.errors import RankError


def _torchrun(monkeypatch: pytest.MonkeyPatch, rank: int) -> None:
    """The environment torchrun gives process `rank` of two on one machine."""
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", str(rank))
    monkeypatch.setenv("LOCAL_RANK", str(rank))


@pytest.mark.parametrize("rank, said", [(0, 1), (1, 0)])
def test_a_refusal_is_said_by_the_writer_alone(tmp_path, monkeypatch, capsys, rank, said):
    _torchrun(monkeypatch, rank)
    assert main(["train", "--dataset", str(tmp_path / "gone"), "--out",
                 str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert err.count("ganforge: error: ") == said
    assert said == 0 and err == "" or f"{tmp_path / 'gone'}: no such folder" in err
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("rank, said", [(0, 1), (1, 0)])
def test_a_usage_error_is_said_by_the_writer_alone(monkeypatch, capsys, rank, said):
    _torchrun(monkeypatch, rank)
    with pytest.raises(SystemExit) as stop:
        main(["train", "--no-such-option"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("ganforge train: error: unrecognized arguments: --no-such-option") == said
    assert said or err == ""


def test_a_process_of_its_own_refusal_says_it_on_any_rank(monkeypatch, capsys):
    _torchrun(monkeypatch, 1)

    def refuse(args):
        raise RankError("LOCAL_RANK 1: only 1 CUDA devices on this machine")

    monkeypatch.setattr(data_cli, "run_list", refuse)
    assert main(["data", "list"]) == 2
    assert capsys.readouterr().err == \
        "ganforge: error: LOCAL_RANK 1: only 1 CUDA devices on this machine\n"


def test_a_single_process_says_its_refusal(tmp_path, monkeypatch, capsys):
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    assert main(["train", "--dataset", str(tmp_path / "gone")]) == 2
    assert capsys.readouterr().err.count("ganforge: error: ") == 1
