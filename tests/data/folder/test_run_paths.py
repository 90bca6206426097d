"""A run on a folder named by a relative path keeps the folder's absolute path, so resuming
or evaluating it from another working folder reads the same images."""

from __future__ import annotations

from pathlib import Path

import tomllib

from ganforge.cli import main
from tests.data.folder.conftest import make_folder


def _dataset_of(run: Path) -> str:
    return tomllib.loads((run / "config.toml").read_text())["data"]["dataset"]


def test_a_relative_folder_is_kept_as_its_absolute_path(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    make_folder(tmp_path / "work" / "pics", 24)
    make_folder(tmp_path / "elsewhere" / "pics", 30)  # another folder of the same name
    monkeypatch.chdir(tmp_path / "work")
    run = tmp_path / "run"
    assert main(["train", "--dataset", "pics", "--arch", "dcgan", "--width", "4",
                 "--image-size", "32", "--batch-size", "8", "--max-steps", "1",
                 "--eval-every", "0", "--no-progress", "--out", str(run)]) == 0
    assert _dataset_of(run) == str((tmp_path / "work" / "pics").resolve())
    monkeypatch.chdir(tmp_path / "elsewhere")
    capsys.readouterr()
    assert main(["train", "--resume", str(run), "--max-steps", "2", "--no-progress"]) == 0
    assert "preparing" not in capsys.readouterr().err  # the same folder: in the cache already
    assert _dataset_of(run) == str((tmp_path / "work" / "pics").resolve())


def test_a_folder_of_the_same_listing_elsewhere_is_another_data_set(tmp_path, monkeypatch):
    """Two folders with the same names, sizes and times (copies, or files unpacked with
    fixed times) are prepared each from its own images."""
    import os

    from PIL import Image

    from ganforge.data.folder.prepare import PrepareOptions, prepare

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for colour in ("red", "blue"):
        for i in range(4):
            path = tmp_path / colour / f"{i}.bmp"
            path.parent.mkdir(exist_ok=True)
            Image.new("RGB", (24, 24), colour).save(path)
            os.utime(path, ns=(315532800 * 10**9, 315532800 * 10**9))
    red = prepare(tmp_path / "red", PrepareOptions(image_size=16), show=False)
    blue = prepare(tmp_path / "blue", PrepareOptions(image_size=16), show=False)
    assert red.folder != blue.folder
    assert red.images[0, 0, 0, 0] == 255 and blue.images[0, 2, 0, 0] == 255
    assert blue.manifest["source"].endswith("blue")
