"""Whether a caption says nothing: empty, or only characters that show nothing.

`str.strip()` removes spaces but not zero-width or other invisible characters: a caption of
"\u200b\u200d" (zero-width space and joiner) is not empty, yet gives an encoder no words.
Such characters are the Unicode categories of controls and formats (Cc, Cf: zero-width
space, joiners, byte order mark, soft hyphen...), separators (Zs, Zl, Zp), surrogates,
private-use and unassigned code points (Cs, Co, Cn), combining marks with nothing to
combine with (Mn, Me), and a few letters and symbols drawn blank (Hangul fillers, the blank
Braille pattern).
"""

from __future__ import annotations

import unicodedata

INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_blank(text: str) -> bool:
    """True when no character of `text` shows anything (see the module)."""
    return all(c in BLANK_CHARACTERS or unicodedata.category(c) in INVISIBLE_CATEGORIES
               for c in text)
