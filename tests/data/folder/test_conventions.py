"""Each folder convention: flat or nested images, class subfolders, captions from
metadata.jsonl, metadata.csv or NAME.txt; what is skipped and why."""

from __future__ import annotations

from pathlib import Path

from ganforge.data.folder.conventions import MAX_CAPTION_CHARS, clean_caption, plan
from ganforge.data.folder.source import FolderSource
from tests.data.folder.conftest import make_folder


def plan_of(root: Path):
    source = FolderSource(root)
    return plan(source.listing(), source.read)


def test_flat_folder_has_no_classes_and_no_captions(tmp_path):
    p = plan_of(make_folder(tmp_path / "flat", 6))
    assert len(p.names) == 6 and p.classes == () and set(p.labels) == {-1}
    assert not p.captioned and p.captions == [[]] * 6


def test_class_subfolders_give_labels(tmp_path):
    p = plan_of(make_folder(tmp_path / "pets", 9, ("cat", "dog", "emu")))
    assert p.classes == ("cat", "dog", "emu")
    for name, label in zip(p.names, p.labels, strict=True):
        assert name.split("/")[0] == p.classes[label]


def test_one_subfolder_is_not_a_class(tmp_path):
    root = make_folder(tmp_path / "one", 4, ("images",))
    assert plan_of(root).classes == ()


def test_nested_images_are_found(tmp_path):
    root = tmp_path / "deep"
    make_folder(root / "a" / "b" / "c", 3)
    make_folder(root / "x", 2)
    p = plan_of(root)
    assert len(p.names) == 5 and any(n.startswith("a/b/c/") for n in p.names)


def test_captions_from_each_convention_agree(tmp_path):
    found = {}
    for kind in ("jsonl", "csv", "txt"):
        p = plan_of(make_folder(tmp_path / kind, 5, captions=kind))
        assert p.captioned
        found[kind] = dict(zip(p.names, p.captions, strict=True))
    assert found["jsonl"] == found["csv"] == found["txt"]
    assert found["jsonl"]["img0001.jpg"] == ["a picture number 1", "a dark disc"]


def test_several_metadata_rows_per_image_add_captions(tmp_path):
    root = make_folder(tmp_path / "rows", 2)
    (root / "metadata.jsonl").write_text(
        '{"file_name": "img0000.png", "text": "first"}\n'
        '{"file_name": "img0000.png", "caption": "second"}\n'
        '{"file_name": "img0001.jpg", "text": ["third", "fourth"]}\n')
    p = plan_of(root)
    assert dict(zip(p.names, p.captions, strict=True)) == {
        "img0000.png": ["first", "second"], "img0001.jpg": ["third", "fourth"]}


def test_bad_metadata_is_skipped_with_reasons(tmp_path):
    root = make_folder(tmp_path / "bad", 4)
    (root / "metadata.jsonl").write_text(
        '{"file_name": "img0000.png", "text": "ok"}\n'
        'not json\n'
        '{"file_name": "missing.png", "text": "gone"}\n'
        '{"file_name": "img0001.jpg", "text": ""}\n'
        f'{{"file_name": "img0002.png", "text": "{"x" * (MAX_CAPTION_CHARS + 1)}"}}\n')
    p = plan_of(root)
    reasons = dict(p.skipped)
    assert p.names == ["img0000.png"]
    assert reasons["metadata.jsonl:2"] == "not a JSON object"
    assert reasons["missing.png"].startswith("named in metadata.jsonl but not")
    assert reasons["img0001.jpg"] == "no usable caption"
    assert reasons["img0002.png"] == "no usable caption"
    assert reasons["img0003.gif"] == "no caption"


def test_non_utf8_caption_file_is_skipped(tmp_path):
    root = make_folder(tmp_path / "latin", 2, captions="txt")
    (root / "img0000.txt").write_bytes("caf\xe9".encode("latin-1"))
    p = plan_of(root)
    assert ("img0000.txt", "text is not UTF-8") in p.skipped
    assert p.names == ["img0001.jpg"]


def test_other_files_are_named_and_hidden_ones_ignored(tmp_path):
    root = make_folder(tmp_path / "misc", 2)
    (root / "notes.doc").write_text("x")
    (root / ".hidden.png").write_bytes(b"x")
    p = plan_of(root)
    assert ("notes.doc", "not an image file") in p.skipped
    assert all(".hidden" not in n for n, _ in p.skipped) and len(p.names) == 2


def test_clean_caption_bounds_and_collapses():
    assert clean_caption("  a   red\nflower ") == "a red flower"
    assert clean_caption("") is None and clean_caption(None) is None
    assert clean_caption("x" * (MAX_CAPTION_CHARS + 1)) is None


def test_an_unreadable_caption_file_is_skipped_not_fatal(tmp_path):
    import os

    root = make_folder(tmp_path / "fifo", 2, captions="txt")
    (root / "img0000.txt").unlink()
    os.mkfifo(root / "img0000.txt")  # a caption file that is a FIFO: never read
    p = plan_of(root)
    assert p.names == ["img0001.jpg"]
    assert any(name == "img0000.txt" for name, _ in p.skipped)
