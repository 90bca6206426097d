"""Caption files as users write them: a metadata.csv with a quote left open, a caption longer
than csv's field limit, header names in another case or with spaces, NAME.TXT and
NAME.jpg.txt caption files, and caption files beside a metadata file (listed as not read)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ganforge.cli import main
from ganforge.data.folder.conventions import MAX_CAPTION_CHARS, plan
from ganforge.data.folder.source import FolderSource
from tests.data.folder.conftest import draw


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def images(root: Path, n: int) -> Path:
    for i in range(n):
        draw(root / f"{i:02d}", i, (24, 24), ("RGB", ".png"))
    return root


def with_csv(root: Path, text: str, n: int = 6) -> Path:
    images(root, n)
    (root / "metadata.csv").write_text(text, encoding="utf-8", newline="")
    return root


def plan_of(root: Path):
    source = FolderSource(root)
    p = plan(source.listing(), source.read)
    reasons: dict[str, str] = {}
    for name, reason in p.skipped:  # the first reason of each name
        reasons.setdefault(name, reason)
    return p, dict(zip(p.names, p.captions, strict=True)), reasons


def rows(n: int, broken: dict[int, str] | None = None, header: str = "file_name,text") -> str:
    broken = broken or {}
    return header + "\n" + "".join(broken.get(i, f"{i:02d}.png,cap {i}") + "\n"
                                   for i in range(n))


# 1. a quote left open

def test_an_unclosed_quote_skips_its_row_and_names_its_line(tmp_path):
    root = with_csv(tmp_path / "q", rows(6, {3: '03.png,"cap 3'}))
    p, captions, reasons = plan_of(root)
    assert reasons["metadata.csv:5"].startswith("unclosed quote")
    assert reasons["03.png"] == "no caption"
    assert captions == {f"{i:02d}.png": [f"cap {i}"] for i in (0, 1, 2, 4, 5)}


def test_an_unclosed_quote_closed_by_a_later_row_still_leaks_nothing(tmp_path):
    root = with_csv(tmp_path / "q", rows(6, {1: '01.png,"cap 1', 4: '04.png,"cap, 4"'}))
    p, captions, reasons = plan_of(root)
    assert reasons["metadata.csv:3"].startswith("unclosed quote") and "01.png" not in captions
    assert captions["04.png"] == ["cap, 4"] and captions["02.png"] == ["cap 2"]
    assert all(len(c) == 1 and "\n" not in c[0] and ".png" not in c[0]
               for c in captions.values())


@pytest.mark.parametrize("last", ['05.png,"cap 5', '05.png,"cap 5\nand more'])
def test_an_unclosed_quote_on_the_last_row_is_named_too(tmp_path, last):
    p, captions, reasons = plan_of(with_csv(tmp_path / "q", rows(6, {5: last})))
    assert reasons["metadata.csv:7"].startswith("unclosed quote")
    assert "05.png" not in captions and captions["04.png"] == ["cap 4"]


def test_a_stray_character_after_a_closing_quote_is_no_unclosed_quote(tmp_path):
    p, captions, reasons = plan_of(with_csv(tmp_path / "q", rows(3, {2: '02.png,"cap" 2'}), 3))
    assert captions["02.png"] == ["cap 2"] and p.skipped == []


def test_a_quoted_caption_over_lines_is_still_one_caption(tmp_path):
    text = rows(3, {1: '01.png,"a red disc,\nsome more, on a grey field\n"'})
    p, captions, reasons = plan_of(with_csv(tmp_path / "q", text, 3))
    assert captions["01.png"] == ["a red disc, some more, on a grey field"]
    assert p.skipped == [] and len(p.names) == 3


def test_an_unclosed_quote_in_the_header_is_named(tmp_path):
    p, captions, reasons = plan_of(with_csv(tmp_path / "q", rows(3, header='file_name,"text')))
    assert reasons["metadata.csv"] == "unclosed quote in the header" and not p.captioned


def test_data_check_names_the_broken_line(tmp_path, capsys):
    root = with_csv(tmp_path / "q", rows(6, {3: '03.png,"cap 3'}))
    assert main(["data", "check", str(root), "--image-size", "16"]) == 0
    out = capsys.readouterr().out
    assert "unclosed quote" in out and "metadata.csv:5" in out and "no caption: 03.png" in out


# 2. a caption over csv's field limit

def test_a_caption_over_the_csv_field_limit_skips_only_its_image(tmp_path):
    before = csv.field_size_limit()
    long = "x" * (before + 10)
    p, captions, reasons = plan_of(with_csv(tmp_path / "long", rows(4, {2: f"02.png,{long}"}), 4))
    assert p.captioned and reasons == {"02.png": "no usable caption"}
    assert captions == {f"{i:02d}.png": [f"cap {i}"] for i in (0, 1, 3)}
    assert csv.field_size_limit() == before  # put back


def test_a_long_caption_beside_a_short_one_keeps_the_image(tmp_path):
    text = rows(3) + "01.png," + "y" * (MAX_CAPTION_CHARS + 1) + "\n"
    p, captions, reasons = plan_of(with_csv(tmp_path / "long", text, 3))
    assert captions["01.png"] == ["cap 1"] and p.skipped == []


# 3. header names

@pytest.mark.parametrize("header", ["File_Name,Text", "file_name, text", "FILE_NAME , Caption",
                                    "\ufefffile_name,text", '"File_Name","TEXT"', "text,file_name"])
def test_header_names_in_any_case_and_spacing(tmp_path, header):
    text = rows(3, header=header)
    if header.startswith("text,"):
        text = header + "\n" + "".join(f"cap {i},{i:02d}.png\n" for i in range(3))
    p, captions, reasons = plan_of(with_csv(tmp_path / "h", text, 3))
    assert p.skipped == [] and captions == {f"{i:02d}.png": [f"cap {i}"] for i in range(3)}


def test_a_header_without_the_columns_is_still_named(tmp_path):
    p, captions, reasons = plan_of(with_csv(tmp_path / "h", rows(3, header="name,words"), 3))
    assert reasons["metadata.csv"].startswith("needs a file_name and a text")
    assert not p.captioned


def test_short_rows_and_old_mac_line_ends(tmp_path):
    text = rows(3, {1: "01.png"}).replace("\n", "\r")
    p, captions, reasons = plan_of(with_csv(tmp_path / "cr", text, 3))
    assert reasons["metadata.csv:3"] == "no file_name and text (or caption)"
    assert captions == {"00.png": ["cap 0"], "02.png": ["cap 2"]}


# 4. caption file names

def test_caption_file_suffix_in_any_case(tmp_path):
    root = images(tmp_path / "t", 3)
    for i, suffix in enumerate((".txt", ".TXT", ".Txt")):
        (root / f"{i:02d}{suffix}").write_text(f"cap {i}\n")
    p, captions, reasons = plan_of(root)
    assert p.skipped == [] and captions == {f"{i:02d}.png": [f"cap {i}"] for i in range(3)}


def test_a_caption_named_after_the_full_image_name(tmp_path):
    root = images(tmp_path / "t", 3)
    (root / "00.txt").write_text("cap 0\n")
    (root / "01.png.txt").write_text("cap 1\n")
    (root / "02.txt").write_text("cap 2\n")
    (root / "02.png.txt").write_text("other 2\n")  # both forms: NAME.txt is read
    p, captions, reasons = plan_of(root)
    assert captions == {f"{i:02d}.png": [f"cap {i}"] for i in range(3)}
    assert reasons == {"02.png.txt": "not read: 02.txt gives the captions of 02.png"}


def test_a_full_name_that_is_another_images_stem_belongs_to_that_image(tmp_path):
    root = tmp_path / "t"
    draw(root / "a", 0, (24, 24), ("RGB", ".png"))
    draw(root / "b", 1, (24, 24), ("RGB", ".jpg")).rename(root / "a.png.jpg")
    (root / "a.txt").write_text("cap a\n")
    (root / "a.png.txt").write_text("cap a.png.jpg\n")
    p, captions, reasons = plan_of(root)
    assert captions == {"a.png": ["cap a"], "a.png.jpg": ["cap a.png.jpg"]} and p.skipped == []


def test_a_caption_file_in_two_cases_reads_one(tmp_path):
    root = images(tmp_path / "t", 2)
    for i in range(2):
        (root / f"{i:02d}.txt").write_text(f"cap {i}\n")
    (root / "01.TXT").write_text("other\n")
    p, captions, reasons = plan_of(root)
    assert captions["01.png"] == ["cap 1"]
    assert reasons == {"01.TXT": "not read: 01.txt gives the captions of 01.png"}


def test_a_text_file_of_no_image_is_not_an_image_file(tmp_path):
    root = images(tmp_path / "t", 2)
    (root / "notes.TXT").write_text("x")
    assert plan_of(root)[2] == {"notes.TXT": "not an image file"}


# 5. caption files beside a metadata file

def test_caption_files_beside_a_metadata_file_are_listed(tmp_path, capsys):
    root = images(tmp_path / "both", 12)
    for i in range(12):
        (root / f"{i:02d}.txt").write_text(f"txt {i}\n")
    (root / "metadata.jsonl").write_text("".join(
        json.dumps({"file_name": f"{i:02d}.png", "text": f"j {i}"}) + "\n" for i in range(6)))
    p, captions, reasons = plan_of(root)
    assert captions == {f"{i:02d}.png": [f"j {i}"] for i in range(6)}
    assert [n for n, r in p.skipped if r == "caption file not read: metadata.jsonl gives the "
            "captions"] == [f"{i:02d}.txt" for i in range(12)]
    assert main(["data", "check", str(root), "--image-size", "16"]) == 0
    assert "12 x caption file not read: metadata.jsonl gives the captions: 00.txt" in \
        capsys.readouterr().out


def test_a_caption_file_beside_two_images_of_one_stem_captions_neither(tmp_path):
    root = images(tmp_path / "stems", 3)
    draw(root / "01", 7, (24, 24), ("RGB", ".jpg"))  # 01.png and 01.jpg: two pictures
    for i in range(3):
        (root / f"{i:02d}.txt").write_text(f"cap {i}\n", encoding="utf-8")
    (root / "01.jpg.txt").write_text("the jpeg\n", encoding="utf-8")
    p, captions, reasons = plan_of(root)
    assert captions == {"00.png": ["cap 0"], "02.png": ["cap 2"], "01.jpg": ["the jpeg"]}
    assert reasons["01.txt"] == "not read: 2 images are named 01.*; give each its NAME.EXT.txt"
    assert reasons["01.png"] == "no caption"


@pytest.mark.parametrize("image_form,text_form", [("NFD", "NFC"), ("NFC", "NFD")])
def test_caption_files_match_their_images_in_any_unicode_form(tmp_path, image_form, text_form):
    import unicodedata

    root = tmp_path / "forms"
    for i in range(3):
        name = f"caf\u00e9 {i}"
        draw(root / unicodedata.normalize(image_form, name), i, (24, 24), ("RGB", ".png"))
        (root / unicodedata.normalize(text_form, f"{name}.txt")).write_text(
            f"cup {i}\n", encoding="utf-8")
    p, captions, reasons = plan_of(root)
    assert sorted(c[0] for c in captions.values()) == ["cup 0", "cup 1", "cup 2"]
    assert p.skipped == []


def test_metadata_captions_that_are_not_strings_are_named(tmp_path):
    root = images(tmp_path / "values", 3)
    rows = [{"file_name": "00.png", "text": 123}, {"file_name": "01.png", "text": ["ok", 5, None]},
            {"file_name": "02.png", "text": "fine"}]
    (root / "metadata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    p, captions, reasons = plan_of(root)
    assert captions == {"01.png": ["ok"], "02.png": ["fine"]}
    assert reasons["metadata.jsonl:1"] == reasons["metadata.jsonl:2"] == \
        "a caption that is not a string: left out"
    assert reasons["00.png"] == "no caption"
