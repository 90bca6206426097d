"""`ganforge evaluator fit FOLDER` end to end on tiny folders of the user's kind: captions
(metadata.jsonl) -> an image-text encoder, class subfolders -> a classifier, plain images ->
a self-supervised encoder; a folder too small is refused in one line; `ganforge evaluate` of
a run trained on the folder then scores it in the fitted features, each figure beside its
floor (and R-precision beside its ceiling for a text-to-image run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ganforge.cli import main
from ganforge.metrics.fitted import data_key, evaluator_path_for, find_fitted, read_record
from tests.data.folder.conftest import make_folder

FOLDERS = {"captions": ((), "jsonl"), "shapes": (("circles", "squares", "stars"), ""),
           "plain": ((), "")}
KIND = {"captions": "contrastive", "shapes": "classifier", "plain": "self-supervised"}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("fit-folders")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(base / "cache"))
        for name, (classes, captions) in FOLDERS.items():
            make_folder(base / name, 120, classes, captions)
        make_folder(base / "tiny", 30)
        yield base


@pytest.fixture
def cache(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    return home / "cache"


@pytest.mark.parametrize("name", list(FOLDERS))
def test_fit_picks_the_kind_by_what_the_folder_has(name, home, cache, capsys):
    folder = home / name
    assert main(["evaluator", "fit", str(folder), "--epochs", "1",
                 "--text-encoder", "hashing"]) == 0
    out = capsys.readouterr().out
    assert f"({KIND[name]})" in out and "FD test vs train" in out
    path = find_fitted(data_key(str(folder)))
    assert path is not None and path.parent == evaluator_path_for(str(folder.resolve()))
    assert str(path).startswith(str(cache))  # in the user cache
    record = read_record(path)
    assert record["kind"] == KIND[name] and record["train_images"] >= 64
    assert not list(folder.rglob("*.safetensors"))  # nothing written into the user's folder


def test_a_folder_too_small_is_refused_in_one_line(home, cache, capsys):
    assert main(["evaluator", "fit", str(home / "tiny"), "--epochs", "1"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()  # the folder's preparation, then
    errors = [line for line in lines if line.startswith("ganforge: error:")]
    assert errors == lines[-1:]
    assert errors[0].endswith("27 training and 3 test images; fitting an evaluator needs at "
                              "least 64 and 10")


@pytest.mark.parametrize("name,arch", [("plain", ["--arch", "dcgan", "--width", "4"]),
                                       ("captions", ["--arch", "t2i", "--width", "4",
                                                     "--text-encoder", "hashing"])])
def test_evaluate_a_folder_run_in_the_fitted_features(name, arch, home, cache, capsys):
    folder, run = home / name, home / f"run-{name}"
    if find_fitted(data_key(str(folder))) is None:
        assert main(["evaluator", "fit", str(folder), "--epochs", "1",
                     "--text-encoder", "hashing"]) == 0
    assert main(["train", "--dataset", str(folder), *arch, "--batch-size", "16",
                 "--max-steps", "2", "--eval-every", "0", "--no-progress",
                 "--out", str(run)]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(run), "--n", "12"]) == 0
    out = capsys.readouterr().out
    assert "FD (evaluator features)" in out and "real data" in out
    assert "classifier score" not in out  # no classes: the feature metrics only
    assert ("spread (vs test split)" in out) == (name == "plain")  # self-supervised
    if name == "captions":
        assert "R-precision (R@1 among" in out and "real images" in out
        assert "caption similarity" in out
    assert (run / "eval.json").is_file()
