"""The emoji set: every emoji of Unicode CLDR's English annotations that Debian's Noto Color
Emoji font draws, rendered in colour and captioned from its CLDR name and keywords, written as
a plain image folder with captions:

    ROOT/images/1f600.png ...          SIZE x SIZE RGB, the emoji on white
    ROOT/metadata.jsonl                {"file_name": "images/1f600.png", "text": [captions]}

ROOT is OUT/emoji, OUT being `out` or the user cache. A file is named by the emoji's code
points in hex joined by "-" (CLDR leaves out U+FE0F). The set is written into a temporary
folder beside ROOT that is renamed to ROOT once complete, so a reader never sees half a set;
a non-empty ROOT is replaced only with `force`. Sources and licences: docs/emoji.md.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from pathlib import Path

from ganforge.errors import DataError
from ganforge.fileio import cache_root, read_regular

NAME = "emoji"
FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
CLDR = Path("/usr/share/unicode/cldr/common")
ANNOTATIONS = ("annotations/en.xml", "annotationsDerived/en.xml")  # under CLDR
PACKAGES = "apt-get install fonts-noto-color-emoji unicode-cldr-core, or make emoji-data"
FONT_SIZE = 109  # the only size of the font's colour bitmaps (CBDT)
MAX_XML_BYTES = 20 * 2**20
MAX_CAPTIONS = 10
MAX_CAPTION_CHARS = 120
PROGRESS_EVERY = 500
# Typographic punctuation of CLDR's English text, as plain ASCII in captions.
ASCII = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                       "\u2013": "-", "\u2212": "-"})
PEOPLE = {"person", "man", "woman", "boy", "girl"}  # "family: man, woman, boy"
PLURALS = {"people", "men", "women", "children", "feet", "teeth"}
AN_EXCEPTIONS = ("one", "uni", "use", "eu", "ewe")  # vowel letter, consonant sound: "a"


def read_annotations(path: Path) -> dict[str, tuple[str, list[str]]]:
    """CLDR annotations of one file: emoji -> (name, keywords), in the file's order."""
    data = read_regular(path, MAX_XML_BYTES, "CLDR annotation file")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise DataError(f"{path}: not a CLDR annotation file ({exc})") from None
    names: dict[str, str] = {}
    keywords: dict[str, list[str]] = {}
    for node in root.iter("annotation"):
        cp, text = node.get("cp"), (node.text or "").strip()
        if not cp or not text:
            continue
        if node.get("type") == "tts":
            names.setdefault(cp, text)
        else:
            keywords.setdefault(cp, [k.strip() for k in text.split("|") if k.strip()])
    out = {}
    for cp in dict.fromkeys([*keywords, *names]):
        words = keywords.get(cp, [])
        name = names.get(cp) or (words[0] if words else "")
        if name:
            out[cp] = (name, words)
    return out


def load_annotations(cldr: Path = CLDR) -> dict[str, tuple[str, list[str]]]:
    """The emoji of CLDR's English annotations and derived annotations (skin tones, ...)."""
    out: dict[str, tuple[str, list[str]]] = {}
    for part in ANNOTATIONS:
        for cp, entry in read_annotations(Path(cldr) / part).items():
            out.setdefault(cp, entry)
    return out


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def noun_phrase(name: str) -> tuple[str, str]:
    """CLDR's name as a phrase ("waving hand: light skin tone" -> "waving hand with light
    skin tone") and its article ("a", "an", "the" or "" where none fits: plurals, names)."""
    name = name.translate(ASCII)
    base, _, detail = name.partition(": ")
    parts = [p.strip() for p in detail.split(",") if p.strip()]
    if base == "flag" and detail:
        return f"flag of {detail}", "the"
    phrase = base
    if base == "keycap" and detail:
        phrase = f"keycap {detail}"
    elif parts:
        people = [p for p in parts if p in PEOPLE]
        bald = "bald" in parts
        traits = [p for p in parts if p not in PEOPLE and p != "bald"]
        if all(t.endswith(("skin tone", "hair", "beard")) for t in traits):
            phrase = ("bald " if bald else "") + base
            phrase += f", {_and(people)}" if people else ""
            phrase += f" with {_and(traits)}" if traits else ""
        else:
            phrase = f"{base}, {_and(parts)}"
    # The head noun: before " with ", " of ", " in " and a verb ("woman lifting weights").
    head = base.split(" with ")[0].split(" of ")[0].split(" in ")[0].split()
    verb = next((i for i, w in enumerate(head) if i and w.endswith("ing")), len(head))
    head = head[:verb]
    plural = bool(head) and head[-1].endswith("s") and not head[-1].endswith(("ss", "us", "is"))
    countable = (bool(head) and phrase[:1].isascii() and phrase[:1].islower() and not plural
                 and not PLURALS.intersection(head))
    if not countable:
        return phrase, ""
    vowel = phrase[0] in "aeiou" and not phrase.startswith(AN_EXCEPTIONS)
    return phrase, "an" if vowel or phrase.startswith("hour") else "a"


def captions(name: str, keywords: Iterable[str]) -> list[str]:
    """Up to MAX_CAPTIONS short captions of one emoji from its CLDR name and keywords, in a
    fixed order, without repeats; each at most MAX_CAPTION_CHARS characters."""
    phrase, article = noun_phrase(name)
    a_phrase = f"{article} {phrase}" if article else phrase
    plain = name.translate(ASCII)
    # Keywords worth saying: ones with a letter that are not the name (CLDR lists the
    # emoji's own characters and its name among them); `extra`: those the phrase lacks.
    words = [k.translate(ASCII) for k in keywords]
    words = [k for k in dict.fromkeys(words) if any(c.isalpha() and c.isascii() for c in k)
             and k not in (plain, phrase, plain.partition(": ")[0])]
    said = " " + re.sub(r"[^\w'-]+", " ", phrase) + " "
    extra = [k for k in words if f" {k} " not in said]
    listed = ""
    for word in words:  # as many keywords as fit in a caption with the phrase
        longer = f"{listed}, {word}" if listed else word
        if len(phrase) + len(longer) + 2 > MAX_CAPTION_CHARS:
            break
        listed = longer
    out = [phrase, a_phrase, f"an emoji of {a_phrase}", plain, f"{phrase} emoji",
           f"a picture of {a_phrase}"]
    if listed:
        out += [listed, f"{phrase}: {listed}"]
    if extra:
        out += [f"an emoji of {a_phrase}: {_and(extra[:3])}", f"an emoji for {_and(extra[:2])}"]
    out = [" ".join(c.split()) for c in out]
    out = [c for c in out if c and len(c) <= MAX_CAPTION_CHARS]
    return list(dict.fromkeys(out))[:MAX_CAPTIONS] or [plain[:MAX_CAPTION_CHARS].strip()]


def file_stem(cp: str) -> str:
    """The file name of an emoji: its code points in hex ("1f44b-1f3fb")."""
    return "-".join(f"{ord(c):x}" for c in cp)


def render(font, cp: str, size: int):
    """The emoji `cp` as a size x size RGB image on white, or None where the font draws
    nothing for it or more than one glyph (a sequence it has no picture for)."""
    from PIL import Image, ImageDraw

    single = font.getlength("\U0001f600")  # the width of one emoji
    left, top, right, bottom = font.getbbox(cp)
    width, height = right - left, bottom - top
    if width <= 0 or height <= 0 or font.getlength(cp) > 1.5 * single:
        return None
    side = max(width, height)
    glyph = Image.new("RGBA", (side, side), (255, 255, 255, 0))
    xy = ((side - width) // 2 - left, (side - height) // 2 - top)
    ImageDraw.Draw(glyph).text(xy, cp, font=font, embedded_color=True)
    if glyph.getchannel("A").getbbox() is None:
        return None
    page = Image.new("RGBA", glyph.size, (255, 255, 255, 255))
    page.alpha_composite(glyph)
    return page.convert("RGB").resize((size, size), Image.Resampling.LANCZOS)


def _check_sources(font: Path, cldr: Path) -> None:
    if not font.is_file():
        raise DataError(f"{font}: font not found; install Debian's fonts-noto-color-emoji "
                        f"({PACKAGES})")
    for part in ANNOTATIONS:
        if not (cldr / part).is_file():
            raise DataError(f"{cldr / part}: CLDR annotations not found; install Debian's "
                            f"unicode-cldr-core ({PACKAGES})")


def _busy(root: Path) -> bool:
    """Whether `root` is something make() may not replace without force."""
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        return True
    return root.is_dir() and any(root.iterdir())


def make(out: str | os.PathLike[str] | None = None, *, size: int = 64,
         log: Callable[[str], None] | None = print, force: bool = False,
         limit: int | None = None, font: str | os.PathLike[str] = FONT,
         cldr: str | os.PathLike[str] = CLDR) -> Path:
    """Write the emoji set into `out`/emoji (default `out`: the user cache); returns that
    folder. `limit` keeps the first `limit` emoji of CLDR's order that the font draws (for
    quick trials); an existing non-empty folder is replaced only with `force`."""
    font, cldr = Path(font), Path(cldr)
    if not isinstance(size, int) or not 8 <= size <= 136:
        raise DataError(f"emoji size {size!r}: give 8 to 136 pixels (the font's are 136)")
    _check_sources(font, cldr)
    root = (Path(out).expanduser() if out is not None else cache_root()) / NAME
    if not force and _busy(root):
        raise DataError(f"{root}: exists and is not empty; replace it with force (--force)")
    from PIL import ImageFont  # Pillow: imported on use (CLI start-up time)

    try:
        face = ImageFont.truetype(str(font), FONT_SIZE, layout_engine=ImageFont.Layout.RAQM)
    except OSError as exc:
        raise DataError(f"{font}: not a colour emoji font Pillow can open ({exc})") from None
    emoji = list(load_annotations(cldr).items())
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        tmp = root.with_name(f".{NAME}.{secrets.token_hex(4)}.tmp")
        tmp.mkdir()  # mode 0o777 less the umask, as the files in it
        (tmp / "images").mkdir()
    except OSError as exc:
        raise DataError(f"{root}: cannot write the data set here ({exc.strerror})") from None
    start, rows, skipped = time.perf_counter(), [], []
    try:
        for i, (cp, (name, keywords)) in enumerate(emoji, 1):
            image = render(face, cp, size)
            if image is None:
                skipped.append(cp)
            else:
                file_name = f"images/{file_stem(cp)}.png"
                image.save(tmp / file_name, optimize=True)
                rows.append({"file_name": file_name, "text": captions(name, keywords)})
            if log is not None and i % PROGRESS_EVERY == 0:
                log(f"{NAME}: {i}/{len(emoji)} emoji ({len(rows)} drawn)")
            if limit is not None and len(rows) >= limit:
                break
        with open(tmp / "metadata.jsonl", "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
            fh.flush()
            os.fsync(fh.fileno())
        _replace(tmp, root, force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if log is not None:
        log(f"{NAME}: {len(rows)} emoji written to {root} ({size}x{size}) in "
            f"{time.perf_counter() - start:.1f} s; {len(skipped)} the font does not draw "
            "were skipped")
    return root


def _replace(tmp: Path, root: Path, force: bool) -> None:
    """Rename the finished `tmp` to `root`: an absent or empty `root` is replaced by the
    rename itself (atomic); anything else only with `force`, after moving it aside."""
    try:
        os.rename(tmp, root)
        return
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
            raise DataError(f"{root}: cannot write the data set here ({exc.strerror})") from None
    if not force:
        raise DataError(f"{root}: exists and is not empty; replace it with force (--force)")
    old = root.with_name(f".{NAME}.old-{secrets.token_hex(4)}")
    os.rename(root, old)
    os.rename(tmp, root)
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)
