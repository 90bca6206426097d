"""A folder through the registry and the command line: load_dataset(PATH), its splits,
labels and captions; register_dataset; `ganforge data check|prepare|list`; one line and
exit 2 for what cannot be used."""

from __future__ import annotations

import numpy as np
import pytest

from ganforge.cli import main
from ganforge.data import load_dataset
from ganforge.data.folder.prepare import PrepareOptions
from ganforge.data.registry import (
    DataSet,
    data_sets,
    lookup,
    register_dataset,
    unregister_dataset,
)
from ganforge.errors import DataError
from tests.data.folder.conftest import make_folder


def exit_code(args: list[str]) -> int:
    """What `ganforge ARGS` exits with (argparse's own errors raise SystemExit)."""
    try:
        return main(args)
    except SystemExit as done:
        return done.code


def test_load_dataset_takes_a_path(folder):
    options = PrepareOptions(image_size=16)
    train = load_dataset(str(folder), "train", options=options, text_encoder="hashing")
    test = load_dataset(str(folder), "test", options=options, text_encoder="hashing")
    assert (len(train), len(test)) == (36, 4)
    assert train.images.shape[1:] == (3, 16, 16) and train.classes == ("cat", "dog")
    assert train.text.shape[:2] == (36, 2) and len(train.captions[0]) == 2
    assert train.model_fields()["num_classes"] == 2
    limited = load_dataset(str(folder), "train", limit=5, options=options, text_encoder=None)
    assert len(limited) == 5 and limited.text is None


def test_unlabelled_folder_has_no_classes(tmp_path):
    root = make_folder(tmp_path / "flat", 12)
    data = load_dataset(str(root), "train", options=PrepareOptions(image_size=16))
    assert data.classes == () and data.captions is None and np.all(data.labels.numpy() == 0)


@pytest.mark.parametrize("kind", ["zip", "gztar"])
def test_an_archive_of_a_folder_loads_the_same_images(tmp_path, folder, kind):
    import shutil

    archive = shutil.make_archive(str(tmp_path / "pets"), kind, folder.parent, folder.name)
    options = PrepareOptions(image_size=16)
    a = load_dataset(str(folder), "train", options=options, text_encoder=None)
    b = load_dataset(archive, "train", options=options, text_encoder=None)
    assert b.classes == a.classes
    assert sorted(map(bytes, b.images.numpy())) == sorted(map(bytes, a.images.numpy()))


def test_unknown_name_lists_every_set_and_says_a_path_works():
    with pytest.raises(DataError) as err:
        lookup("no-such-set")
    message = str(err.value)
    assert all(name in message for name in data_sets()) and "folder" in message


def test_register_dataset_adds_a_set_from_user_code(folder):
    def loader(entry, split, data_dir, limit, verify, encoder):
        return load_dataset(str(folder), split, limit=limit, text_encoder=encoder,
                            options=PrepareOptions(image_size=16))

    entry = DataSet("my-pets", loader, loader, loader, (36, 4), (3, 16, 16), 2)
    register_dataset(entry)
    try:
        assert "my-pets" in data_sets()
        assert len(load_dataset("my-pets", "test", text_encoder=None)) == 4
        with pytest.raises(DataError, match="already registered"):
            register_dataset(entry)
        with pytest.raises(DataError, match="built in"):
            register_dataset(DataSet("mnist", loader, loader, loader, (1, 1), (1,), 2))
    finally:
        unregister_dataset("my-pets")
    assert "my-pets" not in data_sets()


def test_cli_check_prepare_and_list(folder, capsys):
    assert main(["data", "prepare", str(folder), "--image-size", "16"]) == 0
    out = capsys.readouterr().out
    assert "40 usable: 36 train, 4 test; 3x16x16" in out and "classes   2: cat, dog" in out
    assert "2 per image: 40" in out
    assert main(["data", "check", str(folder), "--image-size", "16"]) == 0
    assert main(["data", "list"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if str(folder.resolve()) in x)
    assert "gone" not in line


def test_data_list_marks_a_prepared_folder_that_is_gone(tmp_path, capsys):
    folder = make_folder(tmp_path / "brief", 12)
    assert main(["data", "prepare", str(folder), "--image-size", "16"]) == 0
    folder.rename(tmp_path / "moved")
    capsys.readouterr()
    assert main(["data", "list"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if str(folder.resolve()) in x)
    assert line.endswith("(the folder is gone)")


def test_a_metadata_file_below_the_top_is_named_as_not_read(tmp_path, capsys):
    folder = make_folder(tmp_path / "sub", 12, ("a", "b"))
    (folder / "a" / "metadata.jsonl").write_text('{"file_name": "x.png", "text": "t"}\n')
    assert main(["data", "check", str(folder), "--image-size", "16"]) == 0
    assert "1 x not read: a metadata file is read only at the top of the folder: " \
        "a/metadata.jsonl" in capsys.readouterr().out


def test_cli_reports_skipped_files_by_reason(folder, capsys):
    (folder / "cat" / "text.png").write_text("not an image")
    (folder / "notes.doc").write_text("x")
    (folder / "readme.md").write_text("x")  # a folder's own notes: passed over silently
    assert main(["data", "check", str(folder), "--image-size", "16"]) == 0
    out = capsys.readouterr().out
    assert "skipped   2 file(s)" in out and "1 x not an image file: notes.doc" in out


@pytest.mark.parametrize("args,message", [
    (["data", "check", "/no/such/folder"], "no such folder or archive"),
    (["data", "prepare", "mnist"], "needs no preparing"),
    (["data", "prepare", "PLACE", "--image-size", "4"], "must be 8..128 or 256"),
])
def test_cli_bad_input_is_one_line(tmp_path, capsys, args, message):
    args = [str(tmp_path) if a == "PLACE" else a for a in args]
    assert exit_code(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert message in err[-1] and "Traceback" not in "\n".join(err)


def test_cli_folder_with_no_images_is_one_line(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert exit_code(["data", "prepare", str(tmp_path / "empty")]) == 2
    assert "0 usable image(s)" in capsys.readouterr().err


def test_cli_make_passes_out_and_force_to_the_maker(monkeypatch, tmp_path):
    from ganforge.data import registry

    calls = []

    def maker(out, log, force):
        calls.append((out, force))

    monkeypatch.setattr(registry, "FOLDER_MAKERS", {"toy": maker})
    assert main(["data", "make", "toy", "--out", str(tmp_path), "--force"]) == 0
    assert main(["data", "make", "toy"]) == 0
    assert calls == [(str(tmp_path), True), (None, False)]
    assert exit_code(["data", "make", "nothing"]) == 2


@pytest.mark.parametrize("split", ["validation", "TRAIN", "val", ""])
def test_a_split_other_than_train_or_test_is_refused_for_a_folder_too(folder, split):
    with pytest.raises(DataError, match=f"unknown split {split!r}.*expected 'train' or 'test'"):
        load_dataset(str(folder), split, options=PrepareOptions(image_size=16))


@pytest.mark.parametrize("options,message", [
    ({"fit": "stretch"}, "fit must be 'crop' or 'pad', got 'stretch'"),
    ({"fit": "PAD"}, "fit must be 'crop' or 'pad', got 'PAD'"),
    ({"image_size": 32.5}, "image size must be a whole number, got 32.5"),
    ({"image_size": True}, "image size must be a whole number, got True"),
])
def test_prepare_options_name_a_bad_option(options, message):
    with pytest.raises(DataError, match=message):
        PrepareOptions(**options)
