"""A PNG folder (`--format png-dir`) is written only into a new or empty folder: one that
already holds files is one line (exit 2) before anything is drawn, its files untouched, so a
second, smaller call never leaves the first call's images mixed in nor overwrites a user's."""

import pytest

import ganforge.sampling.generator
from ganforge.cli import main
from ganforge.errors import OutputError
from ganforge.viz import save_png_dir

SAMPLE = ["sample", "--pretrained", "mlp-mnist", "--format", "png-dir"]


def _one_line(capsys, fragment):
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0], err
    assert err[0].startswith("ganforge: error: ")
    return captured.out


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_second_smaller_sample_into_the_same_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "pd"
    assert main([*SAMPLE, "-n", "10", "--out", str(out)]) == 0
    first = _files(out)
    assert len(first) == 10
    capsys.readouterr()
    assert main([*SAMPLE, "-n", "3", "--out", str(out)]) == 2
    _one_line(capsys, "pd: already holds 10 file(s); a PNG folder is written only into a new "
                      "or empty folder")
    assert _files(out) == first


def test_a_users_own_file_is_kept_and_nothing_is_drawn(tmp_path, capsys, monkeypatch):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "000000.png").write_bytes(b"my own picture")

    def no_drawing(*args, **kwargs):
        raise AssertionError("drew images for a folder that is refused")

    monkeypatch.setattr(ganforge.sampling.generator, "generate", no_drawing)
    assert main([*SAMPLE, "-n", "2", "--out", str(out)]) == 2
    assert _one_line(capsys, "mine: already holds 1 file(s)") == ""
    assert _files(out) == {"000000.png": b"my own picture"}


def test_generate_refuses_a_folder_holding_files_before_loading_anything(tmp_path, capsys):
    out = tmp_path / "pd"
    out.mkdir()
    (out / "notes.txt").write_text("keep")
    args = ["generate", str(tmp_path / "no-such-run"), "a red flower", "--format", "png-dir",
            "--out", str(out)]
    assert main(args) == 2
    _one_line(capsys, "pd: already holds 1 file(s)")
    assert (out / "notes.txt").read_text() == "keep"


@pytest.mark.parametrize("make", [False, True])
def test_a_new_or_empty_folder_is_written(tmp_path, make):
    out = tmp_path / "pd"
    if make:
        out.mkdir()
    assert main([*SAMPLE, "-n", "3", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["000000.png", "000001.png", "000002.png"]


def test_save_png_dir_refuses_a_folder_holding_anything(tmp_path):
    import torch

    (tmp_path / "sub").mkdir()
    with pytest.raises(OutputError, match="already holds 1 file"):
        save_png_dir(torch.zeros(2, 1, 4, 4), tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["sub"]
    assert len(save_png_dir(torch.zeros(2, 1, 4, 4), tmp_path / "sub")) == 2
