"""`ganforge evaluate` and `ganforge evaluator` as a user runs them."""

import json
import re

import numpy as np
import pytest

from ganforge.cli import main
from tests.test_cli import _one_line_error, ganforge


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    from ganforge.config import resolve_config
    from ganforge.training.run import train
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None:
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    mp = pytest.MonkeyPatch()
    mp.setenv("GANFORGE_DATA", str(REAL_DATA_ROOT))
    config = resolve_config("mlp-mnist", overrides={
        "limit": "256", "epochs": "1", "g_hidden": "32,64", "d_hidden": "64,32",
        "eval_every": "0"})
    out = train(config, tmp_path_factory.mktemp("cli-eval") / "run", progress=False)
    mp.undo()
    return out, {"GANFORGE_DATA": str(REAL_DATA_ROOT)}


def test_evaluate_a_run_prints_a_table_and_writes_eval_json(tiny_run):
    out, env = tiny_run
    r = ganforge("evaluate", out, "--n", 300, "--seed", 3, env=env)
    assert r.returncode == 0, r.stderr
    assert "300 samples (seed 3) of mnist" in r.stdout
    for label in ("FD (evaluator features)", "KID", "classifier score", "classes covered",
                  "precision", "recall", "real data"):
        assert label in r.stdout
    result = json.loads((out / "eval.json").read_text())
    assert result["n"] == 300 and result["real"]["n"] == 300 and result["seed"] == 3
    assert result["metrics"]["fd"] > result["real"]["fd"] >= 0
    assert result["step"] == 4


def test_evaluate_samples_from_an_npz(real_data_root, tmp_path, capsys):
    from ganforge.data import load_dataset

    real = load_dataset("mnist", "train", limit=300)
    np.savez_compressed(tmp_path / "real.npz", images=real.images[:, 0].numpy())
    code = main(["evaluate", "--samples", str(tmp_path / "real.npz"), "--dataset", "mnist",
                 "--json", str(tmp_path / "out.json")])
    assert code == 0
    captured = capsys.readouterr()
    header = captured.out.splitlines()[0]
    assert header.startswith(f"{tmp_path / 'real.npz'}: 300 samples of mnist vs its test split")
    assert "seed" not in header  # a file of images has no noise seed
    progress = captured.err.splitlines()  # plain progress lines, one per stage and metric
    for stage in ("features of 300 images (generated)", "fd of 300 images",
                  "kid of 300 images"):  # (the floor's are cached per process)
        assert any(re.fullmatch(rf"ganforge \[\d\d:\d\d:\d\d\] {re.escape(stage)}.*", line)
                   for line in progress), (stage, progress)
    result = json.loads((tmp_path / "out.json").read_text())
    assert result["n"] == 300 and result["metrics"]["coverage"] == 10
    assert result["metrics"]["precision"] > 0.5  # real digits look like real digits


def test_bad_npz_is_one_line_error_from_the_command_line(tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"not a zip file at all")
    _one_line_error(ganforge("evaluate", "--samples", tmp_path / "junk.npz", "--dataset",
                             "mnist"), "junk.npz")


def _in_process_error(capsys, args, fragment):
    assert main([str(a) for a in args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0], err


def test_other_mistakes_are_one_line_errors(tmp_path, capsys):
    np.savez(tmp_path / "float.npz", images=np.zeros((4, 28, 28), dtype=np.float32))
    _in_process_error(capsys, ["evaluate", "--samples", tmp_path / "float.npz", "--dataset",
                               "mnist"], "must be uint8")
    np.savez(tmp_path / "small.npz", images=np.zeros((4, 14, 14), dtype=np.uint8))
    _in_process_error(capsys, ["evaluate", "--samples", tmp_path / "small.npz", "--dataset",
                               "mnist"], "28x28")
    _in_process_error(capsys, ["evaluate", "--samples", tmp_path / "small.npz"],
                      "--dataset is required")
    _in_process_error(capsys, ["evaluate", "--samples", tmp_path / "small.npz", "--dataset",
                               "cifar10"], "no evaluator for data set")
    _in_process_error(capsys, ["evaluate", "--samples", tmp_path / "small.npz", "--dataset",
                               "mnist", "--n", "2"], "--n is for a run")
    (tmp_path / "pics").mkdir()  # a folder no evaluator is fitted for: how to fit one
    _in_process_error(capsys, ["evaluate", "--samples", tmp_path / "small.npz", "--dataset",
                               tmp_path / "pics"],
                      f"no evaluator fitted for {tmp_path / 'pics'} yet: fit one with "
                      f"`ganforge evaluator fit {tmp_path / 'pics'} --image-size N`")
    _in_process_error(capsys, ["evaluate", tmp_path / "nowhere"], "nowhere")
    np.savez(tmp_path / "ok.npz", images=np.zeros((4, 28, 28), dtype=np.uint8))
    _in_process_error(capsys, ["evaluate", "--samples", tmp_path / "ok.npz", "--dataset",
                               "mnist", "--features", "inception"], "--features inception")
    _in_process_error(capsys, ["evaluate"], "give a run folder or --samples")
    _in_process_error(capsys, ["evaluate", "--samples", tmp_path / "ok.npz", "--dataset",
                               "mnist", "--captions", "unseen"], "needs a text-to-image run")
    _in_process_error(capsys, ["evaluator", "train", "cifar10"], "no evaluator named")


def test_evaluate_writes_eval_json_only_into_the_checkpoints_run(tiny_run, tmp_path, capsys):
    import shutil

    out, _ = tiny_run
    loose = tmp_path / "a" / "b"
    loose.mkdir(parents=True)
    for suffix in (".json", ".safetensors"):
        shutil.copy(out / "checkpoints" / f"final{suffix}", loose / f"final{suffix}")
    (tmp_path / "eval.json").write_text("someone else's file")
    assert main(["evaluate", str(loose / "final.json"), "--n", "300"]) == 0
    assert "eval.json not written" in capsys.readouterr().out
    assert (tmp_path / "eval.json").read_text() == "someone else's file"
    assert not list(tmp_path.rglob("eval.json"))[1:]  # no other eval.json anywhere
    (out / "eval.json").unlink(missing_ok=True)
    assert main(["evaluate", str(out / "checkpoints" / "final.json"), "--n", "300"]) == 0
    assert json.loads((out / "eval.json").read_text())["n"] == 300


def test_captions_unseen_on_a_run_without_captions_is_one_line(tiny_run, capsys):
    out, _ = tiny_run
    (out / "eval.json").unlink(missing_ok=True)
    _in_process_error(capsys, ["evaluate", out, "--captions", "unseen"],
                      "--captions unseen: arch mlp does not read captions")
    assert not (out / "eval.json").exists()


def test_samples_scored_against_a_folder_that_is_not_there_say_so(tmp_path, capsys):
    np.savez(tmp_path / "white.npz", images=np.full((8, 32, 32, 3), 255, np.uint8))
    _in_process_error(capsys, ["evaluate", "--samples", tmp_path / "white.npz", "--dataset",
                               tmp_path / "nonexist"], "nonexist: no such folder or archive")
