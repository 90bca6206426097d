"""`ganforge pretrained export` (ganforge.export) and `list` on a throwaway run: the pair it
writes loads like a shipped generator, carries its commands and figures, and `list` shows it."""

from __future__ import annotations

import json

import pytest

from ganforge.cli import main
from ganforge.fileio import sha256_file
from ganforge.pretrained import read_entry
from ganforge.sampling.generator import generate, load_pretrained

TINY = ["--preset", "mlp-mnist", "--limit", "256", "--max-steps", "3", "--batch-size", "64",
        "--g-hidden", "32,64", "--d-hidden", "64,32", "--ema", "0.9", "--eval-every", "0",
        "--no-progress"]


def _one_line(capsys, fragment: str) -> None:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ganforge: error: "), err
    assert fragment in err[0], err


def test_export_then_list_a_tiny_run(real_data_root, tmp_path, capsys):
    run, shelf = tmp_path / "run", tmp_path / "shelf"
    assert main(["train", *TINY, "--out", str(run)]) == 0
    assert main(["pretrained", "export", str(run), "tiny-mnist", "--n", "200",
                 "--command", "ganforge train --preset mlp-mnist --max-steps 3",
                 "--dir", str(shelf)]) == 0
    capsys.readouterr()
    entry = read_entry("tiny-mnist", shelf)
    record = entry["pretrained"]
    assert record["train_command"] == "ganforge train --preset mlp-mnist --max-steps 3"
    assert record["eval_command"] == f"ganforge evaluate {run} --n 200 --seed 0"
    assert record["ema"] is True  # the run kept EMA weights: those are the ones shipped
    assert (record["evaluation"]["n"], record["evaluation"]["seed"]) == (200, 0)
    assert record["evaluation"]["metrics"]["fd"] > 0
    assert sha256_file(shelf / "tiny-mnist.safetensors") == entry["sha256"]

    loaded = load_pretrained("tiny-mnist", shelf)
    assert loaded.ema and loaded.step == 3
    assert generate(loaded, 5).shape == (5, 1, 28, 28)

    assert main(["pretrained", "list", "--dir", str(shelf)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["name", "model", "data", "set"]
    row = lines[1].split()
    size = (shelf / "tiny-mnist.safetensors").stat().st_size / 2**20
    fd = record["evaluation"]["metrics"]["fd"]
    assert row[:5] == ["tiny-mnist", "mlp", "mnist", f"{size:.2f}", f"{fd:.2f}"]

    # a second export of the name needs --force; figures from a file must be of that step
    assert main(["pretrained", "export", str(run), "tiny-mnist", "--dir", str(shelf)]) == 2
    _one_line(capsys, "tiny-mnist.json exists; add --force to replace it")
    stale = tmp_path / "eval.json"
    stale.write_text(json.dumps({"step": 1, "metrics": {"fd": 1.0}, "n": 10, "seed": 0}))
    assert main(["pretrained", "export", str(run), "other", "--metrics", str(stale),
                 "--dir", str(shelf)]) == 2
    _one_line(capsys, "evaluates step 1, the exported checkpoint is step 3")
    other_run, measured = tmp_path / "other-run", tmp_path / "other.json"
    assert main(["train", *TINY, "--seed", "5", "--out", str(other_run)]) == 0
    assert main(["evaluate", str(other_run), "--n", "100", "--json", str(measured)]) == 0
    capsys.readouterr()
    assert main(["pretrained", "export", str(run), "other", "--metrics", str(measured),
                 "--dir", str(shelf)]) == 2  # the same step, another run's checkpoint
    _one_line(capsys, "evaluates another checkpoint")


def test_stored_figures_replace_the_measured_ones_and_nothing_else(real_data_root, tmp_path):
    from ganforge.export import store_evaluation

    run, shelf = tmp_path / "run", tmp_path / "shelf"
    assert main(["train", *TINY, "--out", str(run)]) == 0
    assert main(["pretrained", "export", str(run), "tiny-mnist", "--n", "100",
                 "--dir", str(shelf)]) == 0
    before = read_entry("tiny-mnist", shelf)
    again = {"n": 50, "seed": 1, "dataset": "mnist", "features": "evaluator",
             "metrics": {"fd": 9.5}, "real": {"fd": 1.0}, "elapsed": 3.0}
    store_evaluation("tiny-mnist", again, shelf)
    after = read_entry("tiny-mnist", shelf)
    assert after["pretrained"].pop("evaluation") == {k: v for k, v in again.items()
                                                     if k != "elapsed"}
    assert after["pretrained"].pop("remeasured_by") == \
        "ganforge pretrained evaluate tiny-mnist --n 50 --seed 1 --store"
    before["pretrained"].pop("evaluation")
    assert after == before
    assert load_pretrained("tiny-mnist", shelf).step == 3  # the weights still check out


def test_list_shows_the_shipped_generators(capsys):
    assert main(["pretrained", "list"]) == 0
    out = capsys.readouterr().out
    names = [line.split()[0] for line in out.splitlines()[1:-1]]
    assert names == ["best-fashion", "best-mnist", "best-uncond-fashion", "best-uncond-mnist",
                     "dcgan-fashion", "dcgan-mnist", "mlp-mnist", "t2i-emoji", "t2i-fashion",
                     "t2i-synthetic-flowers"]
    t2i = next(line for line in out.splitlines() if line.startswith("t2i-fashion"))
    alignment = read_entry("t2i-fashion")["pretrained"]["evaluation"]["alignment"]["class"]
    assert f"{alignment:.3f}" in t2i.split()


@pytest.mark.parametrize("name", ["Bad Name", "../escape"])
def test_export_refuses_a_name_that_is_no_file_name(name, tmp_path, capsys):
    assert main(["pretrained", "export", str(tmp_path), name, "--dir", str(tmp_path)]) == 2
    _one_line(capsys, f"name {name!r}: use lower-case letters")
    assert not list(tmp_path.iterdir())


def test_an_empty_folder_lists_nothing(tmp_path, capsys):
    assert main(["pretrained", "list", "--dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == f"no pretrained generators in {tmp_path}"
