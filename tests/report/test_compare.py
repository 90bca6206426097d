"""`ganforge compare`: runs side by side (an MLP and a DCGAN run, as in the SPEC)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image, ImageSequence

from ganforge.cli import main
from ganforge.errors import ConfigError
from ganforge.report.compare import unique_names, write_compare
from ganforge.report.run_data import load_run
from ganforge.report.side_by_side import write_side_by_side
from tests.report.conftest import assert_self_contained, parse_page


def _frames(path) -> list[np.ndarray]:
    with Image.open(path) as gif:
        return [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(gif)]


def test_compare_mlp_and_dcgan(mlp_run, dcgan_run, tmp_path):
    page_path = write_compare([mlp_run, dcgan_run], tmp_path / "cmp")
    assert page_path == tmp_path / "cmp" / "compare.html"
    page = parse_page(page_path)
    assert_self_contained(page_path, page)
    assert [len(page.images(k)) for k in ("compare-gif", "curves", "metrics")] == [1, 1, 0]
    frames = _frames(tmp_path / "cmp" / "compare.gif")
    assert len(frames) == 3  # one per epoch of the longer run
    # Two 152-px grids, enlarged 2x, side by side with gaps; a caption strip below.
    assert frames[0].shape[1] == 2 * 304 + 3 * 6 and frames[0].shape[0] > 304
    middle = frames[0].shape[1] // 2
    left = [f[30:300, :middle] for f in frames]  # mlp: changes every epoch
    right = [f[30:300, middle:] for f in frames]  # dcgan: 2 epochs, then holds its last grid
    assert not np.array_equal(left[1], left[2])
    assert not np.array_equal(right[0], right[1]) and np.array_equal(right[1], right[2])
    text = " ".join(page.text)
    assert "same fixed noise" in text
    rows = [a for t, a in page.tags if t == "tr"]
    assert len(rows) >= 3  # header + one row per run in the final table
    assert "mlp" in text and "dcgan" in text and "dcgan28" in text
    assert "model.arch" in text  # the settings in which the runs differ


def test_compare_shows_evaluation_and_warns_of_other_noise(rich_run, dcgan_run, tmp_path,
                                                            capsys):
    other = tmp_path / "other"
    shutil.copytree(dcgan_run, other)
    toml = (other / "config.toml").read_text().replace("seed = 0", "seed = 5")
    (other / "config.toml").write_text(toml)
    assert main(["compare", str(rich_run), str(other), "--out", str(tmp_path / "c")]) == 0
    assert "compare.html" in capsys.readouterr().out
    page = parse_page(tmp_path / "c" / "compare.html")
    assert len(page.images("metrics")) == 1
    text = " ".join(page.text)
    assert "warning: the runs differ in seed" in text
    assert "60 (real 4.5)" in text  # rich run's last evaluation (epoch 2: fd 120 / 2)


def _fake_run(folder, grids: dict[int, Image.Image]):
    (folder / "samples").mkdir(parents=True)
    (folder / "config.toml").write_text('[train]\nseed = 0\n')
    for epoch, image in grids.items():
        image.save(folder / "samples" / f"epoch_{epoch:03d}.png")
    return load_run(folder)


def test_different_sizes_and_channels_share_one_frame(tmp_path):
    grey = _fake_run(tmp_path / "grey", {1: Image.new("L", (60, 40), 200),
                                         2: Image.new("L", (60, 40), 100)})
    colour = _fake_run(tmp_path / "colour", {2: Image.new("RGB", (90, 70), (255, 0, 0))})
    epochs = write_side_by_side([grey, colour], ["grey", "colour"], tmp_path / "x.gif")
    assert epochs == [1, 2]
    frames = _frames(tmp_path / "x.gif")
    assert len(frames) == 2
    cell_w, cell_h = 180, 140  # largest grid, enlarged 2x
    top = 18  # name strip
    assert frames[0].shape[1] == 2 * cell_w + 3 * 6 and frames[0].shape[0] > top + cell_h + 6
    grey_cell = frames[1][top + 40 : top + 100, 6 + 40 : 6 + 140]  # the 120x80 grey grid
    assert np.all(grey_cell == 100)
    red = frames[1][top + 10 : top + 130, 12 + cell_w : 12 + 2 * cell_w]
    assert np.all(red == [255, 0, 0])
    empty = frames[0][top + 10 : top + 130, 12 + cell_w + 60 : 12 + 2 * cell_w]
    assert not np.any(np.all(empty == [255, 0, 0], axis=-1))  # no grid before epoch 2


def test_bad_arguments(mlp_run, tmp_path, capsys):
    with pytest.raises(ConfigError, match="at least two run folders"):
        write_compare([mlp_run], tmp_path / "c")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="is not a folder"):
        write_compare([mlp_run, mlp_run], tmp_path / "file")
    assert main(["compare", str(mlp_run), str(tmp_path / "nope"), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope: no such run folder" in err[0]


def test_clashing_names_are_told_apart(tmp_path):
    a = _fake_run(tmp_path / "a" / "run", {})
    b = _fake_run(tmp_path / "b" / "run", {})
    assert unique_names([a, b]) == ["a/run", "b/run"]
    assert unique_names([a, a]) == ["a/run #1", "a/run #2"]


def test_compare_shows_each_runs_last_evaluate_with_its_own_n(mlp_run, dcgan_run, tmp_path):
    import json

    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(mlp_run, a)
    shutil.copytree(dcgan_run, b)
    (a / "eval.json").write_text(json.dumps({
        "step": 4, "n": 200, "seed": 0, "metrics": {"fd": 408.664},
        "real": {"fd": 26.61, "n": 200}}))
    out = write_compare([a, b], tmp_path / "cmp")
    text = " ".join(parse_page(out).text)
    assert "ganforge evaluate" in text and "408.664 (real 26.610)" in text
    assert "each run's eval.json" in text
    (a / "eval.json").unlink()
    text = " ".join(parse_page(write_compare([a, b], tmp_path / "cmp2")).text)
    assert "each run's eval.json" not in text
