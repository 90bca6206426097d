"""The emoji set: captions from CLDR-style annotations, and the maker end to end (with
Debian's Noto Color Emoji font and CLDR, skipped where they are not installed)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from ganforge.data import emoji
from ganforge.errors import DataError

HAVE_SOURCES = emoji.FONT.is_file() and all((emoji.CLDR / p).is_file() for p in emoji.ANNOTATIONS)
needs_sources = pytest.mark.skipif(
    not HAVE_SOURCES, reason="no Noto Color Emoji / CLDR (apt-get install fonts-noto-color-emoji "
    "unicode-cldr-core, or make emoji-data)")

ANNOTATIONS = """<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE ldml SYSTEM "../../common/dtd/ldml.dtd">
<ldml><annotations>
  <annotation cp="\U0001f600">face | grin | grinning face</annotation>
  <annotation cp="\U0001f600" type="tts">grinning face</annotation>
  <annotation cp="\u2728">* | sparkle | sparkles | star</annotation>
  <annotation cp="\u2728" type="tts">sparkles</annotation>
  <annotation cp="\U0001f55b">00 | 12 | clock | o\u2019clock | twelve</annotation>
  <annotation cp="\U0001f55b" type="tts">twelve o\u2019clock</annotation>
  <annotation cp="{">brace | bracket | open curly bracket</annotation>
  <annotation cp="{" type="tts">open curly bracket</annotation>
  <annotation cp="\U0001f984">face | unicorn</annotation>
  <annotation cp="\U0001f984" type="tts">unicorn</annotation>
</annotations></ldml>
"""
DERIVED = """<?xml version="1.0" encoding="UTF-8" ?>
<ldml><annotations>
  <annotation cp="\U0001f44b\U0001f3fb">hand | light skin tone | wave | waving</annotation>
  <annotation cp="\U0001f44b\U0001f3fb" type="tts">waving hand: light skin tone</annotation>
  <annotation cp="\U0001f1eb\U0001f1f7">flag</annotation>
  <annotation cp="\U0001f1eb\U0001f1f7" type="tts">flag: France</annotation>
  <annotation cp="\U0001f600" type="tts">not the name: annotations/en.xml comes first</annotation>
</annotations></ldml>
"""


@pytest.fixture
def cldr(tmp_path: Path) -> Path:
    """A small CLDR tree of the two annotation files."""
    root = tmp_path / "cldr"
    for part, text in zip(emoji.ANNOTATIONS, (ANNOTATIONS, DERIVED), strict=True):
        (root / part).parent.mkdir(parents=True)
        (root / part).write_text(text, encoding="utf-8")
    return root


def test_annotations_give_names_and_keywords(cldr: Path) -> None:
    entries = emoji.load_annotations(cldr)
    assert list(entries)[:2] == ["\U0001f600", "\u2728"]
    assert entries["\U0001f600"] == ("grinning face", ["face", "grin", "grinning face"])
    assert entries["\U0001f44b\U0001f3fb"][0] == "waving hand: light skin tone"
    assert len(entries) == 7
    assert emoji.file_stem("\U0001f44b\U0001f3fb") == "1f44b-1f3fb"


def test_captions_from_name_and_keywords(cldr: Path) -> None:
    entries = emoji.load_annotations(cldr)
    grin = emoji.captions(*entries["\U0001f600"])
    assert grin[:3] == ["grinning face", "a grinning face", "an emoji of a grinning face"]
    assert "face, grin" in grin
    assert emoji.captions(*entries["\U0001f600"]) == grin  # deterministic
    assert "a waving hand with light skin tone" in emoji.captions(
        *entries["\U0001f44b\U0001f3fb"])
    assert "the flag of France" in emoji.captions(*entries["\U0001f1eb\U0001f1f7"])
    assert "a unicorn" in emoji.captions(*entries["\U0001f984"])
    sparkles = emoji.captions(*entries["\u2728"])
    assert "a sparkles" not in sparkles and "an emoji of sparkles" in sparkles
    clock = emoji.captions(*entries["\U0001f55b"])
    assert "twelve o'clock" in clock  # typographic apostrophe as ASCII
    assert not any("00" in c.split(", ") or "12" in c.split(", ") for c in clock)
    for name, keywords in entries.values():
        made = emoji.captions(name, keywords)
        assert 1 <= len(made) <= emoji.MAX_CAPTIONS and len(set(made)) == len(made)
        assert all(c and c == c.strip() and len(c) <= emoji.MAX_CAPTION_CHARS for c in made)


def test_long_keyword_lists_are_cut() -> None:
    keywords = [f"keyword number {i}" for i in range(40)]
    made = emoji.captions("couple with heart: woman, man, light skin tone, dark skin tone",
                          keywords)
    assert made and all(len(c) <= emoji.MAX_CAPTION_CHARS for c in made)


def test_missing_font_or_cldr_is_one_line(tmp_path: Path, cldr: Path) -> None:
    with pytest.raises(DataError) as info:
        emoji.make(tmp_path, font=tmp_path / "none.ttf", cldr=cldr, log=None)
    message = str(info.value)
    assert "\n" not in message and "fonts-noto-color-emoji" in message
    assert "make emoji-data" in message
    font = tmp_path / "font.ttf"
    font.write_bytes(b"")
    with pytest.raises(DataError, match="unicode-cldr-core") as info:
        emoji.make(tmp_path, font=font, cldr=tmp_path / "no-cldr", log=None)
    assert "\n" not in str(info.value)
    assert not (tmp_path / "emoji").exists()


def test_oversized_annotation_file_is_refused(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "en.xml"
    path.write_text(ANNOTATIONS, encoding="utf-8")
    monkeypatch.setattr(emoji, "MAX_XML_BYTES", 100)
    with pytest.raises(DataError, match="more than 100"):
        emoji.read_annotations(path)


@needs_sources
def test_make_writes_an_image_folder(tmp_path: Path, cldr: Path) -> None:
    from PIL import Image

    lines: list[str] = []
    old = os.umask(0o022)
    try:
        root = emoji.make(tmp_path / "out", size=32, limit=5, cldr=cldr, log=lines.append)
    finally:
        os.umask(old)
    assert root == tmp_path / "out" / "emoji"
    rows = [json.loads(line) for line in (root / "metadata.jsonl").read_text().splitlines()]
    # "{" (open curly bracket) has no picture in the font: skipped and counted.
    assert [r["file_name"] for r in rows] == [
        "images/1f600.png", "images/2728.png", "images/1f55b.png", "images/1f984.png",
        "images/1f44b-1f3fb.png"]
    assert "1 the font does not draw were skipped" in lines[-1]
    assert sorted(p.name for p in (root / "images").iterdir()) == sorted(
        Path(r["file_name"]).name for r in rows)
    for row in rows:
        assert row["text"] and all(isinstance(t, str) and t for t in row["text"])
        with Image.open(root / row["file_name"]) as image:
            assert image.size == (32, 32) and image.mode == "RGB"
            assert image.getpixel((0, 0)) == (255, 255, 255)  # on white
            assert len(image.getcolors(32 * 32)) > 10  # in colour, not blank
    assert rows[0]["text"][0] == "grinning face"
    for path in (root, root / "images", root / "metadata.jsonl", root / rows[0]["file_name"]):
        assert stat.S_IMODE(path.stat().st_mode) & 0o044 == 0o044  # world-readable
    assert [p.name for p in root.parent.iterdir()] == ["emoji"]  # no temporary left


@needs_sources
def test_limit_counts_the_emoji_drawn(tmp_path: Path, cldr: Path) -> None:
    root = emoji.make(tmp_path, size=16, limit=4, cldr=cldr, log=None)
    rows = (root / "metadata.jsonl").read_text().splitlines()
    assert len(rows) == 4  # "{" among the first four is skipped, not counted


@needs_sources
def test_make_keeps_a_non_empty_folder_without_force(tmp_path: Path, cldr: Path) -> None:
    mine = tmp_path / "emoji" / "mine.txt"
    mine.parent.mkdir()
    mine.write_text("keep me")
    with pytest.raises(DataError, match="force") as info:
        emoji.make(tmp_path, limit=1, cldr=cldr, log=None)
    assert "\n" not in str(info.value) and mine.read_text() == "keep me"
    root = emoji.make(tmp_path, limit=1, cldr=cldr, log=None, force=True)
    assert sorted(p.name for p in root.iterdir()) == ["images", "metadata.jsonl"]
    # nothing left aside (the old folder, a temporary)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cldr", "emoji", "home"]


@needs_sources
def test_make_fills_an_empty_folder_and_defaults_to_the_cache(tmp_path: Path, cldr: Path,
                                                              isolated_env: Path) -> None:
    from ganforge.fileio import cache_root

    (cache_root() / "emoji").mkdir(parents=True)
    root = emoji.make(limit=2, cldr=cldr, log=None)
    assert root == cache_root() / "emoji"
    assert len((root / "metadata.jsonl").read_text().splitlines()) == 2


def test_bad_size_is_refused(tmp_path: Path, cldr: Path) -> None:
    with pytest.raises(DataError, match="size"):
        emoji.make(tmp_path, size=0, cldr=cldr, log=None)


@needs_sources
def test_a_folder_filled_while_making_is_kept(tmp_path: Path, cldr: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The final rename itself refuses a non-empty folder (one that appeared meanwhile)."""
    mine = tmp_path / "emoji" / "mine.txt"
    mine.parent.mkdir()
    mine.write_text("keep me")
    monkeypatch.setattr(emoji, "_busy", lambda root: False)
    with pytest.raises(DataError, match="force"):
        emoji.make(tmp_path, limit=1, cldr=cldr, log=None)
    assert mine.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cldr", "emoji", "home"]
