"""Paths on the command line: an empty one ("") is refused in one usage line, since the
system would read it as the current folder (a data set of every image in it, a run or a
report written where the command happened to start); a leading `~` is the home folder, also
where the shell left it (quoted, or after `=`), not a folder named `~` made in the current
one.

    p.add_argument("--out", type=PATH, help="output folder")
"""

from __future__ import annotations

import argparse
import os


class PathText:
    """An argparse type: a file or folder path, given as text and kept as text (a leading
    `~` expanded); not empty."""

    __name__ = "path"  # argparse names the type in some messages

    def __call__(self, text: str) -> str:
        if not text:
            raise argparse.ArgumentTypeError("must not be empty (for the current folder, "
                                             "write .)")
        return os.path.expanduser(text)


PATH = PathText()
