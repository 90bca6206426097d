"""Numbers on the command line: every numeric option has a stated range that argparse checks,
so a value outside it is one usage line and exit code 2 (never a traceback further on).

    p.add_argument("-n", type=COUNT, default=64, help=f"images (default 64; {COUNT.range})")
"""

from __future__ import annotations

import argparse
import math
import re

MAX_SEED = 2**63 - 1  # every seed torch, numpy and Python accept (torch's own limit is 2^64-1)
MAX_SAMPLES = 100_000  # images drawn at once (what `evaluate --samples` reads at most)
MAX_CAPTION_IMAGES = 10_000  # images of one caption (`generate`)
MAX_THREADS = 1024  # torch threads (as the train setting `threads`)


class Whole:
    """An argparse type: a whole number in [lo, hi], written in decimal."""

    def __init__(self, lo: int, hi: int, shown: str | None = None) -> None:
        self.lo, self.hi = lo, hi
        self.range = shown or f"{lo}..{hi}"
        self.__name__ = "whole number"  # argparse names the type in some messages

    def __call__(self, text: str) -> int:
        stripped = text.strip()
        if not re.fullmatch(r"[+-]?[0-9]+", stripped):
            raise argparse.ArgumentTypeError(f"must be a whole number in {self.range}, "
                                             f"got {text[:40]!r}")
        if len(stripped) > 40:  # no arithmetic on a number of thousands of digits
            raise argparse.ArgumentTypeError(f"must be in {self.range}, got a number of "
                                             f"{len(stripped)} digits")
        value = int(stripped)
        if not self.lo <= value <= self.hi:
            raise argparse.ArgumentTypeError(f"must be in {self.range}, got {value}")
        return value


class Real:
    """An argparse type: a finite number in [lo, hi]."""

    def __init__(self, lo: float, hi: float, shown: str | None = None) -> None:
        self.lo, self.hi = lo, hi
        self.range = shown or f"{lo:g}..{hi:g}"
        self.__name__ = "number"

    def __call__(self, text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number in {self.range}, "
                                             f"got {text[:40]!r}") from None
        if not math.isfinite(value) or not self.lo <= value <= self.hi:
            raise argparse.ArgumentTypeError(f"must be in {self.range}, got {text[:40]}")
        return value


SEED = Whole(0, MAX_SEED, "0..2^63-1")
COUNT = Whole(1, MAX_SAMPLES)
CAPTION_COUNT = Whole(1, MAX_CAPTION_IMAGES)
NROW = Whole(1, MAX_SAMPLES)
THREADS = Whole(1, MAX_THREADS)
PORT = Whole(0, 65_535)
