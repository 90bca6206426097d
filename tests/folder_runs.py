"""Shared by the tests of runs trained on a folder: small network settings and the last
error line of a command. Such modules also use tests/conftest.py's `isolated_cache`."""

from __future__ import annotations

QUICK = ["--width", "4", "--image-size", "32", "--batch-size", "8", "--eval-every", "0",
         "--no-progress"]


def last_error(capsys) -> str:
    """The last stderr line, which must be ganforge's one-line error."""
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines and lines[-1].startswith("ganforge: error: "), lines[-3:]
    return lines[-1]
