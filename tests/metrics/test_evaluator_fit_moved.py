"""A folder's fitted evaluator found again after the folder moved or was copied (new
modification times): `evaluate` scores it in the same evaluator, with the same figures, and
says whose evaluator it uses; a copy with one image changed (same names, same sizes) takes
none."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganforge.cli import main
from ganforge.data.folder.identity import listing_digest
from ganforge.data.folder.prepare import prepared_folders
from ganforge.metrics.fitted import data_key, evaluator_path_for, find_fitted, read_record
from tests.data.folder.conftest import make_folder

PREPARED = ["--image-size", "32", "--channels", "1", "--test-fraction", "0.2"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of 120 drawn images, its evaluator fitted (one epoch), a run trained on it
    (two steps), 24 samples of its size, and the figures of both before anything moved."""
    base = tmp_path_factory.mktemp("fit-moved")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(base / "cache"))
        make_folder(base / "plain", 120)
        assert main(["evaluator", "fit", str(base / "plain"), "--epochs", "1", *PREPARED]) == 0
        assert main(["train", "--dataset", str(base / "plain"), "--arch", "dcgan", "--width",
                     "4", "--batch-size", "16", "--max-steps", "2", "--eval-every", "0",
                     "--no-progress", "--out", str(base / "run"), *PREPARED]) == 0
        assert main(["evaluate", str(base / "run"), "--n", "24", "--json",
                     str(base / "run.json")]) == 0
        images = np.random.default_rng(0).integers(0, 256, (24, 32, 32), dtype=np.uint8)
        np.savez(base / "samples.npz", images=images)
        assert _evaluate(base / "plain", base / "before.json") == 0
        yield base


@pytest.fixture
def cache(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    return home / "cache"


def _evaluate(folder: Path, out: Path) -> int:
    return main(["evaluate", "--samples", str(folder.parent / "samples.npz"), "--dataset",
                 str(folder), "--seed", "0", "--json", str(out)])


def _figures(path: Path) -> tuple:
    result = json.loads(path.read_text())
    return result["metrics"], result["real"], result["n"]


def _note(new: Path, old: Path) -> str:
    return (f"note: {new.resolve()}: the evaluator fitted for {old.resolve()} is used (the "
            "same images, prepared the same way)")


def test_a_moved_folder_is_scored_in_its_evaluator_with_the_same_figures(home, cache, capsys):
    moved = home / "renamed"
    shutil.move(home / "plain", moved)
    try:
        capsys.readouterr()
        assert _evaluate(moved, home / "moved.json") == 0
        assert _note(moved, home / "plain") in capsys.readouterr().err.splitlines()
        assert _figures(home / "moved.json") == _figures(home / "before.json")
        # kept for the new path: found there at once, without a note, naming the new path
        path = find_fitted(data_key(str(moved)))
        assert path is not None and path.parent == evaluator_path_for(str(moved.resolve()))
        record = read_record(path)
        assert record["data"] == str(moved.resolve())
        assert record["fitted_for"] == str((home / "plain").resolve())
        assert record["command"].startswith(f"ganforge evaluator fit {moved.resolve()} "
                                            "--image-size 32 --channels 1")
        assert _evaluate(moved, home / "again.json") == 0
        assert "note: " not in capsys.readouterr().err
        assert _figures(home / "again.json") == _figures(home / "before.json")
    finally:
        shutil.move(moved, home / "plain")


def test_a_copy_with_new_modification_times_finds_it(home, cache, capsys):
    copy = home / "copy"
    shutil.copytree(home / "plain", copy, copy_function=shutil.copyfile)  # cp without -p
    first = sorted(copy.iterdir())[0]
    assert first.stat().st_mtime_ns != (home / "plain" / first.name).stat().st_mtime_ns
    capsys.readouterr()
    assert _evaluate(copy, home / "copy.json") == 0
    assert _note(copy, home / "plain") in capsys.readouterr().err.splitlines()
    assert _figures(home / "copy.json") == _figures(home / "before.json")
    assert find_fitted(data_key(str(home / "plain"))).parent == \
        evaluator_path_for(str((home / "plain").resolve()))  # the original keeps its own


def test_a_copy_with_one_image_changed_fits_its_own(home, cache, capsys):
    changed = home / "changed"
    shutil.copytree(home / "plain", changed)
    bmp = sorted(changed.glob("*.bmp"))[0]  # uncompressed: other pixels, the same size
    size = bmp.stat().st_size
    with Image.open(bmp) as image:
        Image.eval(image.convert("RGB"), lambda v: 255 - v).save(bmp)
    assert bmp.stat().st_size == size
    assert listing_digest(changed) == listing_digest(home / "plain")  # names, sizes alike
    capsys.readouterr()
    assert find_fitted(data_key(str(changed))) is None
    assert _evaluate(changed, home / "changed.json") == 2
    err = capsys.readouterr().err
    assert "the evaluator fitted for" not in err
    assert err.strip().splitlines()[-1].startswith("ganforge: error: no evaluator")
    assert not evaluator_path_for(str(changed.resolve())).exists()


def test_a_copy_with_an_image_added_is_told_apart_by_its_listing(home, cache):
    grown = home / "grown"
    shutil.copytree(home / "plain", grown)
    shutil.copyfile(sorted(grown.glob("*.png"))[0], grown / "extra.png")
    assert listing_digest(grown) != listing_digest(home / "plain")
    assert find_fitted(data_key(str(grown))) is None
    sources = {entry["source"] for entry in prepared_folders()}
    assert str((home / "plain").resolve()) in sources
    assert str(grown.resolve()) not in sources  # told apart without preparing it


def test_a_run_evaluated_on_its_moved_folder_scores_the_same(home, cache, capsys):
    moved = home / "elsewhere" / "plain"
    shutil.move(home / "plain", moved)
    try:
        capsys.readouterr()
        assert main(["evaluate", str(home / "run"), "--n", "24", "--dataset", str(moved),
                     "--json", str(home / "run-moved.json")]) == 0
        assert _note(moved, home / "plain") in capsys.readouterr().err.splitlines()
        assert _figures(home / "run-moved.json") == _figures(home / "run.json")
    finally:
        shutil.move(moved, home / "plain")


def test_unreadable_or_odd_records_of_other_folders_are_passed_over(home, cache, capsys):
    own = evaluator_path_for(str((home / "plain").resolve()))
    root = own.parent
    (root / "folder-broken").mkdir()
    (root / "folder-broken" / "self-supervised.json").write_text("{not json")
    # the newest record, of the same files, with settings no PrepareOptions takes
    odd = {**read_record(own / "self-supervised.json"), "data": "/elsewhere",
           "prepare": {"image_size": 32, "sharpen": True}}
    (root / "folder-odd").mkdir()
    (root / "folder-odd" / "self-supervised.json").write_text(json.dumps(odd))
    copy = home / "copy-again"
    shutil.copytree(home / "plain", copy)
    capsys.readouterr()
    assert _evaluate(copy, home / "copy-again.json") == 0
    assert _note(copy, home / "plain") in capsys.readouterr().err.splitlines()
    assert _figures(home / "copy-again.json") == _figures(home / "before.json")


def test_a_run_takes_the_evaluator_prepared_as_it_was_not_the_newest(home, cache, capsys):
    other = home / "other-size"  # the same images, fitted later at the default size
    shutil.copytree(home / "plain", other)
    assert main(["evaluator", "fit", str(other), "--epochs", "1", "--channels", "1"]) == 0
    copy = home / "copy-for-run"
    shutil.copytree(home / "plain", copy)
    capsys.readouterr()
    assert main(["evaluate", str(home / "run"), "--n", "24", "--dataset", str(copy),
                 "--json", str(home / "run-copy.json")]) == 0
    assert _note(copy, home / "plain") in capsys.readouterr().err.splitlines()
    assert _figures(home / "run-copy.json") == _figures(home / "run.json")
    assert read_record(find_fitted(data_key(str(copy))))["prepare"]["image_size"] == 32


def test_a_folder_changed_in_place_is_scored_with_a_note(home, cache, capsys):
    extra = home / "plain" / "extra.png"
    shutil.copyfile(sorted((home / "plain").glob("*.png"))[0], extra)
    try:
        capsys.readouterr()
        assert _evaluate(home / "plain", home / "changed-here.json") == 0
        notes = [line for line in capsys.readouterr().err.splitlines()
                 if line.startswith("note: ")]
        assert notes == [f"note: {(home / 'plain').resolve()}: its files are not those its "
                         "evaluator was fitted on (names or sizes differ), and the figures "
                         "are against the folder as it is now; for an evaluator of these "
                         f"images, fit one with `ganforge evaluator fit "
                         f"{(home / 'plain').resolve()} --image-size 32 --channels 1 "
                         "--test-fraction 0.2`"]
    finally:
        extra.unlink()
    assert _evaluate(home / "plain", home / "as-fitted.json") == 0
    assert "note: " not in capsys.readouterr().err
