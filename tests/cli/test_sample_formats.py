"""What `sample` writes follows the --out name: a grid as PNG, JPEG or WebP by its suffix,
an npz for an .npz name; a name of no image format is refused before anything is drawn. An
.npz given where a run goes, or a run folder given where a data set goes, is one line that
says so; plots of a run named with an emoji draw without a warning per missing glyph."""

import warnings

import numpy as np
import pytest
from PIL import Image

from ganforge.cli import main
from ganforge.viz.plots import plot_losses

SAMPLE = ["sample", "--pretrained", "mlp-mnist", "-n", "4"]


def _one_line(capsys, fragment):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0], err
    assert err[0].startswith("ganforge: error: ")


@pytest.mark.parametrize("name,kind", [("grid.png", "PNG"), ("grid.jpg", "JPEG"),
                                       ("grid.JPEG", "JPEG"), ("grid.webp", "WEBP"),
                                       ("grid", "PNG")])
def test_a_grid_is_written_in_the_format_its_name_says(tmp_path, name, kind):
    assert main([*SAMPLE, "--out", str(tmp_path / name)]) == 0
    with Image.open(tmp_path / name) as image:
        assert image.format == kind and image.size == (62, 62)


def test_an_npz_name_writes_an_npz_without_format(tmp_path):
    assert main([*SAMPLE, "--out", str(tmp_path / "s.npz")]) == 0
    with np.load(tmp_path / "s.npz") as arrays:
        assert arrays["images"].shape == (4, 28, 28) and arrays["images"].dtype == np.uint8


def test_a_grid_name_of_no_image_format_is_refused_before_drawing(tmp_path, capsys):
    assert main([*SAMPLE, "--out", str(tmp_path / "grid.txt")]) == 2
    _one_line(capsys, "grid.txt: an image grid is written as .png, .jpg or .webp, not .txt")
    assert not (tmp_path / "grid.txt").exists()


@pytest.mark.parametrize("name", ["s.png", "grid.txt"])
def test_an_archive_named_as_something_else_is_refused_before_drawing(tmp_path, capsys, name):
    assert main([*SAMPLE, "--format", "npz", "--out", str(tmp_path / name)]) == 2
    _one_line(capsys, f"{name}: --format npz writes a NumPy archive; give it an .npz name")
    assert not (tmp_path / name).exists()
    assert main([*SAMPLE, "--format", "npz", "--out", str(tmp_path / "samples")]) == 0
    with np.load(tmp_path / "samples") as arrays:
        assert arrays["images"].shape == (4, 28, 28)


def test_an_npz_given_as_a_run_is_one_line(tmp_path, capsys):
    np.savez(tmp_path / "samples.npz", images=np.zeros((2, 28, 28), np.uint8))
    assert main(["sample", str(tmp_path / "samples.npz"), "--out", str(tmp_path / "g.png")]) == 2
    _one_line(capsys, "samples.npz: an .npz of arrays, not a run or checkpoint")


def test_a_run_folder_given_as_a_data_set_is_one_line(tmp_path, capsys):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "config.toml").write_text("")
    (run / "metrics.jsonl").write_text("")
    assert main(["data", "check", str(run)]) == 2
    _one_line(capsys, "run: a ganforge run folder, not a data set of images")


def test_an_empty_folder_is_refused_without_a_preparing_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "empty").mkdir()
    assert main(["data", "check", str(tmp_path / "empty")]) == 2
    _one_line(capsys, "0 usable image(s), at least 2 needed (no image files)")


def test_a_plot_titled_with_an_emoji_warns_nothing(tmp_path):
    records = [{"kind": "step", "step": s, "epoch": 1, "d_loss": 1.0, "g_loss": 0.5,
                "d_real": 0.6, "d_fake": 0.4} for s in range(1, 5)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_losses(records, tmp_path / "losses.png", title="run \N{CHERRY BLOSSOM}")
    assert (tmp_path / "losses.png").stat().st_size > 0
