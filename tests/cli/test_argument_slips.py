"""Slips on the command line that once went through unnoticed or ended in a traceback: a
folder as --config, --resume RUN with --out elsewhere, a resume hint that trained nothing,
an empty path (the current folder), an empty entry in a list option, a --data-dir holding no
data set in `data list`, an --out file found only after fitting, and --features inception
without its package found only after drawing. Each: one line, exit code 2, before any work."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from ganforge.cli import main
from ganforge.config import read_toml
from ganforge.errors import ConfigError
from ganforge.training.progress import nothing_to_train
from ganforge.typed import parse_text

TINY = ["train", "--preset", "mlp-mnist", "--limit", "128", "--batch-size", "32",
        "--g-hidden", "16", "--d-hidden", "16", "--eval-every", "0", "--no-progress"]


def _one_line(capsys, fragment: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert fragment in err, err
    return err


def _refused(argv: list[str], capsys, fragment: str) -> str:
    assert main(argv) == 2
    return _one_line(capsys, fragment)


def _usage_error(argv: list[str], capsys, fragment: str) -> str:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    return _one_line(capsys, fragment)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny MNIST run at step 4 (the real data set; skipped without it)."""
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None or not (REAL_DATA_ROOT / "mnist").is_dir():
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    out = tmp_path_factory.mktemp("slips") / "run"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GANFORGE_DATA", str(REAL_DATA_ROOT))
        patch.setenv("GANFORGE_NO_DOWNLOAD", "1")
        assert main([*TINY, "--max-steps", "4", "--out", str(out)]) == 0
    return out


@pytest.fixture
def real_data(real_data_root: Path) -> Path:
    """The real data sets found through GANFORGE_DATA (skipped without them)."""
    return real_data_root


# --- a folder as --config --------------------------------------------------------------


def test_a_folder_as_config_is_one_line(tmp_path, capsys):
    folder = tmp_path / "a-run"
    folder.mkdir()
    (folder / "config.toml").write_text('preset = "mlp-mnist"\n')
    err = _refused(["train", "--config", str(folder), "--out", str(tmp_path / "x")], capsys,
                   f"{folder}: a folder, not a TOML file")
    assert f"its settings file: {folder / 'config.toml'}" in err
    assert not (tmp_path / "x").exists()


def test_read_toml_refuses_a_folder_in_one_line(tmp_path):
    folder = tmp_path / "settings.toml"
    folder.mkdir()
    with pytest.raises(ConfigError, match=r"settings\.toml: a folder, not a TOML file$"):
        read_toml(folder)


# --- --resume RUN --out OTHER ------------------------------------------------------------


def test_resume_with_out_elsewhere_is_refused(tmp_path, capsys):
    old, other = tmp_path / "old", tmp_path / "other"
    old.mkdir()
    _refused(["train", "--resume", str(old), "--out", str(other)], capsys,
             f"--resume continues {old} in its own folder, not in --out {other}; drop --out")
    checkpoint = old / "checkpoints" / "final.json"
    checkpoint.parent.mkdir()
    checkpoint.write_text("{}")
    _refused(["train", "--resume", str(checkpoint), "--out", str(other)], capsys,
             f"--resume continues {old} in its own folder")
    assert not other.exists()


def test_resume_with_its_own_folder_as_out_goes_on(run, real_data, capsys):
    same = run.parent / ".." / run.parent.name / run.name  # the same folder, written otherwise
    assert main(["train", "--resume", str(run), "--out", str(same), "--max-steps", "5",
                 "--no-progress"]) == 0
    assert f"resuming {run} from" in capsys.readouterr().out


def test_resume_auto_with_out_still_resumes_or_starts(run, real_data, tmp_path, capsys):
    assert main(["train", "--resume", "auto", "--out", str(run), "--max-steps", "6",
                 "--no-progress"]) == 0
    assert f"resuming {run} from" in capsys.readouterr().out
    fresh = tmp_path / "fresh"
    assert main([*TINY, "--resume", "auto", "--out", str(fresh), "--max-steps", "1"]) == 0
    assert (fresh / "checkpoints").is_dir()


# --- the hint of a run that already reached its end ----------------------------------------


def _loop(max_steps, step, epochs, next_epoch, processes=1):
    return SimpleNamespace(train_cfg=SimpleNamespace(max_steps=max_steps, epochs=epochs),
                           state=SimpleNamespace(step=step, epoch=next_epoch),
                           folder=SimpleNamespace(path="RUN"),
                           dist=SimpleNamespace(world_size=processes))


@pytest.mark.parametrize(("loop", "later"), [
    (_loop(2, 7, 20, 2), "--max-steps 14"),  # a limit given below the run's step
    (_loop(5, 5, 20, 2), "--max-steps 10"),  # the run's own limit
    (_loop(None, 12, 1, 4), "--epochs 6"),  # 3 epochs done, resumed with --epochs 1
    (_loop(None, 4, 1, 2), "--epochs 2"),
    (_loop(2, 8, 1, 3), "--max-steps 16 --epochs 4"),  # both limits reached
])
def test_the_hint_names_a_later_end_than_the_run_is_at(loop, later):
    assert nothing_to_train(loop).endswith(f"e.g. ganforge train --resume RUN {later}")


def test_the_hint_of_a_torchrun_run_resumes_it_in_its_own_number_of_processes():
    assert nothing_to_train(_loop(5, 5, 20, 2, processes=2)).endswith(
        "e.g. torchrun --nproc-per-node 2 -m ganforge train --resume RUN --max-steps 10")


def test_the_suggested_resume_trains(run, real_data, capsys):
    assert main(["train", "--resume", str(run), "--max-steps", "2", "--no-progress"]) == 0
    said = capsys.readouterr().out
    step = int(re.search(r"\(--max-steps 2, step (\d+)\)", said).group(1))
    suggested = int(re.search(r"e\.g\. ganforge train --resume \S+ --max-steps (\d+)",
                              said).group(1))
    assert suggested > step
    assert main(["train", "--resume", str(run), "--max-steps", str(suggested),
                 "--no-progress"]) == 0
    assert "nothing to train" not in capsys.readouterr().out


# --- an empty path -----------------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["train", "--out", ""],
    ["train", "--config", ""],
    ["train", "--resume", ""],
    ["train", "--resume", "auto", "--out", ""],
    ["data", "check", ""],
    ["data", "prepare", ""],
    ["data", "list", "--data-dir", ""],
    ["compare", "a", "b", "--out", ""],
    ["compare", "", "b", "--out", "cmp"],
    ["evaluate", ""],
    ["evaluate", "run", "--json", ""],
    ["evaluate", "--samples", "", "--dataset", "mnist"],
    ["report", "run", "--out", ""],
    ["evaluator", "fit", ""],
    ["evaluator", "fit", "pics", "--out", ""],
    ["sample", "", "--out", "grid.png"],
    ["pretrained", "export", "", "name"],
])
def test_an_empty_path_is_refused_in_one_usage_line(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _usage_error(argv, capsys, "must not be empty (for the current folder, write .)")
    assert list(tmp_path.iterdir()) == []  # nothing written where the command started


def test_an_empty_dataset_setting_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "picture.png").write_bytes(b"")  # what "" would have trained on
    _refused(["train", "--preset", "dcgan64", "--dataset", "", "--out", str(tmp_path / "r")],
             capsys, "command line [data]: dataset must not be empty")
    config = tmp_path / "empty.toml"
    config.write_text('[data]\ndataset = ""\n')
    _refused(["train", "--config", str(config), "--out", str(tmp_path / "r")], capsys,
             f"{config} [data]: dataset must not be empty")
    assert not (tmp_path / "r").exists()


def test_an_empty_data_dir_setting_is_refused_and_none_still_means_none(tmp_path, capsys):
    _refused([*TINY, "--data-dir", "", "--out", str(tmp_path / "r")], capsys,
             "--data-dir: must not be empty (write none for no value")
    assert parse_text("none", str | None, "--data-dir") is None
    assert parse_text("", int | None, "--max-steps") is None  # numbers: as before


# --- an empty entry in a list option ---------------------------------------------------------


@pytest.mark.parametrize("text", ["1,,2", "1,2,", ",1"])
def test_an_empty_list_entry_is_refused(text):
    with pytest.raises(ConfigError, match="--g-hidden: an empty entry in"):
        parse_text(text, list[int], "--g-hidden")


def test_list_options_still_read_as_before():
    assert parse_text("256, 512", list[int], "x") == [256, 512]
    assert parse_text("", list[int], "x") == []  # no entries at all


def test_an_empty_hidden_width_is_refused_on_the_command_line(tmp_path, capsys):
    _refused([*TINY, "--g-hidden", "1,,2", "--out", str(tmp_path / "r")], capsys,
             "--g-hidden: an empty entry in '1,,2'")
    assert not (tmp_path / "r").exists()


# --- data list --data-dir ----------------------------------------------------------------------


def test_data_list_refuses_a_data_dir_holding_no_data_set(tmp_path, capsys):
    not_a_folder = tmp_path / "passwd"
    not_a_folder.write_text("root:x:0:0\n")
    _refused(["data", "list", "--data-dir", str(not_a_folder)], capsys,
             f"--data-dir {not_a_folder} holds no data set")
    _refused(["data", "list", "--data-dir", str(tmp_path / "typo")], capsys,
             f"--data-dir {tmp_path / 'typo'} does not exist")


def test_data_list_accepts_a_data_dir_holding_a_set(real_data, capsys):
    assert main(["data", "list", "--data-dir", str(real_data)]) == 0
    assert "mnist" in capsys.readouterr().out


# --- evaluator fit --out FILE ----------------------------------------------------------------


def test_evaluator_fit_refuses_a_file_as_out_before_fitting(tmp_path, monkeypatch, capsys):
    from ganforge.metrics import evaluator_fit
    from tests.data.folder.conftest import make_folder

    def never(*args, **kwargs):
        raise AssertionError("fitted before the --out check")

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(evaluator_fit, "train_encoder", never)
    make_folder(tmp_path / "pics", 80)
    out = tmp_path / "notes.txt"
    out.write_text("a file")
    _refused(["evaluator", "fit", str(tmp_path / "pics"), "--image-size", "16", "--out",
              str(out)], capsys, f"({out} is not a folder)")


# --- evaluate --features inception without pytorch-fid ---------------------------------------


def test_inception_without_its_package_is_refused_before_drawing(run, real_data, monkeypatch,
                                                                  capsys):
    from ganforge.metrics import evaluate

    def never(*args, **kwargs):
        raise AssertionError("samples drawn and scored before the package check")

    monkeypatch.setitem(sys.modules, "pytorch_fid", None)  # not installed
    monkeypatch.setattr(evaluate, "evaluate_images", never)
    _refused(["evaluate", str(run), "--features", "inception", "--n", "100"], capsys,
             "--features inception needs the pytorch-fid package")
    _refused(["evaluate", "--samples", str(run / "missing.npz"), "--dataset", "mnist",
              "--features", "inception"], capsys, "needs the pytorch-fid package")


def test_a_quoted_tilde_in_an_output_path_is_the_home_folder(tmp_path, monkeypatch, capsys):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    assert main(["sample", "--pretrained", "mlp-mnist", "-n", "4", "--out", "~/grid.png"]) == 0
    assert (home / "grid.png").is_file()
    assert list(work.iterdir()) == []  # no folder named ~ where the command started
