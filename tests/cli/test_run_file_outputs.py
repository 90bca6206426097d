"""An output path a user names never destroys a run: a file inside a run folder's
checkpoints/, or its config.toml or metrics.jsonl, is one line (exit 2), the run's files
untouched; training itself (new runs and resumed ones) still writes them."""

import hashlib
import json
import shutil
from pathlib import Path

import pytest

import ganforge.fileio as fileio
import ganforge.runs.folder as folder
from ganforge.cli import main
from ganforge.errors import OutputError
from ganforge.fileio import atomic_write_text, check_output, own_run_files

TINY = ["--preset", "mlp-mnist", "--limit", "64", "--batch-size", "32", "--eval-every", "0",
        "--no-progress"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """mlp-mnist, 2 epochs of 2 steps (a checkpoint each epoch and a final one)."""
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None or not REAL_DATA_ROOT.is_dir():
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    mp = pytest.MonkeyPatch()
    mp.setenv("GANFORGE_DATA", str(REAL_DATA_ROOT))
    mp.setenv("GANFORGE_NO_DOWNLOAD", "1")
    run = tmp_path_factory.mktemp("run-files") / "run"
    try:
        assert main(["train", *TINY, "--max-steps", "4", "--out", str(run)]) == 0
    finally:
        mp.undo()
    return run


@pytest.fixture
def run(trained, tmp_path) -> Path:
    copy = tmp_path / "run"
    shutil.copytree(trained, copy)
    return copy


def _digests(run: Path) -> dict[str, str]:
    return {str(p.relative_to(run)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(run.rglob("*")) if p.is_file() and p.name != "report.html"}


def _one_line(capsys, fragment):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0], err
    assert err[0].startswith("ganforge: error: ")


@pytest.mark.parametrize("argv,fragment", [
    (["evaluate", "{run}", "--n", "5", "--json", "{run}/checkpoints/final.json"],
     "final.json: inside the checkpoints/ of run"),
    (["evaluate", "{run}", "--n", "5", "--json", "{run}/config.toml"],
     "config.toml: the config.toml of run"),
    (["sample", "{run}", "-n", "2", "--format", "npz", "--out",
      "{run}/checkpoints/final.safetensors"], "final.safetensors: --format npz writes a NumPy"),
    (["sample", "{run}", "-n", "2", "--out", "{run}/checkpoints/samples.npz"],
     "samples.npz: inside the checkpoints/"),
    (["sample", "{run}", "-n", "2", "--out", "{run}/checkpoints/new.png"],
     "new.png: inside the checkpoints/ of run"),
    (["report", "{run}", "--out", "{run}/metrics.jsonl"], "the metrics.jsonl of run"),
    (["report", "{run}", "--out", "{run}/checkpoints/../config.toml"], "the config.toml of run"),
    (["compare", "{run}", "{run}", "--out", "{run}/checkpoints"], "inside the checkpoints/"),
])
def test_an_output_over_a_runs_own_file_is_refused(run, capsys, argv, fragment):
    before = _digests(run)
    assert main([a.format(run=run) for a in argv]) == 2
    _one_line(capsys, fragment)
    assert _digests(run) == before


def test_report_into_another_runs_config_is_refused(run, tmp_path, capsys):
    other = tmp_path / "other"
    shutil.copytree(run, other)
    before = _digests(other)
    assert main(["report", str(run), "--out", str(other / "config.toml")]) == 2
    _one_line(capsys, f"the config.toml of run {other.resolve()}")
    assert _digests(other) == before


def test_evaluate_json_into_a_run_is_refused_before_scoring(run, capsys, monkeypatch):
    def no_scoring(*args, **kwargs):
        raise AssertionError("scored for an output that is refused")

    monkeypatch.setattr("ganforge.metrics.evaluate.evaluate_run", no_scoring)
    assert main(["evaluate", str(run), "--json", str(run / "checkpoints" / "best.json")]) == 2
    _one_line(capsys, "best.json: inside the checkpoints/ of run")


def test_training_still_writes_its_own_files(run, capsys):
    assert main(["train", "--resume", str(run), "--max-steps", "6", "--no-progress"]) == 0
    assert json.loads((run / "checkpoints" / "final.json").read_text())["step"] == 6
    assert '"step": 6' in (run / "metrics.jsonl").read_text()
    assert main(["train", *TINY, "--max-steps", "2", "--out", str(run), "--force"]) == 0
    assert '"step": 6' not in (run / "metrics.jsonl").read_text()


def test_the_check_knows_a_run_by_its_three_names(tmp_path):
    (tmp_path / "config.toml").write_text("mine")  # no metrics.jsonl, no checkpoints/
    (tmp_path / "checkpoints").mkdir()
    atomic_write_text(tmp_path / "config.toml", "still mine")
    atomic_write_text(tmp_path / "checkpoints" / "x.json", "{}")
    (tmp_path / "metrics.jsonl").write_text("")
    for target in ("config.toml", "metrics.jsonl", "checkpoints/x.json", "checkpoints/a/b"):
        with pytest.raises(OutputError, match="only training writes"):
            check_output(tmp_path / target)
        with pytest.raises(OutputError, match="only training writes"):
            atomic_write_text(tmp_path / target, "over")
    assert (tmp_path / "config.toml").read_text() == "still mine"
    check_output(tmp_path / "report.html")  # other files of a run are outputs like any
    with own_run_files():
        atomic_write_text(tmp_path / "config.toml", "training")
    assert (tmp_path / "config.toml").read_text() == "training"


def test_fileio_spells_the_run_names_as_the_run_folder_does():
    assert fileio.RUN_OWN_FILES == (folder.CONFIG, folder.METRICS)
    assert fileio.RUN_CHECKPOINTS == folder.CHECKPOINTS
