"""The rows of a folder's metadata file: (file_name, text) pairs from metadata.jsonl or
metadata.csv, each line that cannot be read named (`metadata.csv:4`) with its reason.

metadata.csv has a header naming a `file_name` and a `text` (or `caption`) column, in any
case and with spaces around the names allowed. A quoted caption may run over several lines;
but a quote left open, whose caption would swallow the lines after it that read as rows of
their own, or that runs to the end of the file, skips only its own row, named by the line it
starts on, and the rows after it are read as rows. A caption may be as long as the file (the
per-caption bound is applied later): csv's field limit is raised while the file is read and
put back after.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ganforge.data.folder.listing import MAX_METADATA_BYTES

TEXT_COLUMNS = ("text", "caption")
NO_COLUMNS = "needs a file_name and a text (or caption) column (comma-separated)"
UNCLOSED = "unclosed quote (the rows after it would be read into its caption): row skipped"
Rows = list[tuple[str, object]]


def rows_of(meta: str, text: str, skipped: list, is_image: Callable[[str], bool]) -> Rows:
    """The rows of the metadata file `meta` (its content `text`); `is_image` tells a name
    that looks like an image's, to find a CSV quote left open."""
    if meta.endswith(".jsonl"):
        return rows_jsonl(text, meta, skipped)
    return rows_csv(text, meta, skipped, is_image)


def rows_jsonl(text: str, name: str, skipped: list) -> Rows:
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            skipped.append((f"{name}:{number}", "not a JSON object"))
            continue
        file, value = _file_and_text(row)
        if file is None:
            skipped.append((f"{name}:{number}", "no file_name and text (or caption)"))
            continue
        texts = value if isinstance(value, list) else [value]
        if not all(isinstance(t, str) for t in texts):
            skipped.append((f"{name}:{number}", "a caption that is not a string: left out"))
        rows.append((file, [t for t in texts if isinstance(t, str)]))
    return rows


def _file_and_text(row: object) -> tuple[str | None, object]:
    if not isinstance(row, dict) or not isinstance(row.get("file_name"), str):
        return None, None
    value = next((row[c] for c in TEXT_COLUMNS if c in row), None)
    return (row["file_name"], value) if value is not None else (None, None)


class _Lines:
    """The lines of a text split as csv splits them (at \\n, \\r or \\r\\n); `at` is the
    index of the next line to give, and may be set back to read again from there."""

    def __init__(self, text: str) -> None:
        self.lines = io.StringIO(text, newline="").readlines()
        self.at = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.at >= len(self.lines):
            raise StopIteration
        self.at += 1
        return self.lines[self.at - 1]


@contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    """csv's bound on one field raised to `limit` for a while, then put back."""
    old = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _columns(header: list[str]) -> tuple[int, int] | None:
    """The indices of the file_name and text (or caption) columns, or None."""
    index: dict[str, int] = {}
    for i, cell in enumerate(header):
        index.setdefault(cell.strip().lower(), i)
    text = next((index[c] for c in TEXT_COLUMNS if c in index), None)
    return None if "file_name" not in index or text is None else (index["file_name"], text)


def _reads_as_row(line: str, columns: tuple[int, int], is_image: Callable[[str], bool]) -> bool:
    """Whether `line` alone reads as a metadata row: its file_name an image's name."""
    try:
        cells = next(csv.reader([line]), [])
    except csv.Error:
        return False
    return len(cells) > max(columns) and is_image(cells[columns[0]].strip())


def _open_at_end(lines: _Lines, start: int) -> bool:
    """Whether the row from line `start` to the end of the file leaves a quote open (csv
    reads such a row to the end without a word; its strict mode does not)."""
    if lines.at < len(lines.lines):
        return False
    try:
        list(csv.reader(lines.lines[start:], strict=True))
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)  # not a stray character after a quote
    return False


def rows_csv(text: str, name: str, skipped: list, is_image: Callable[[str], bool]) -> Rows:
    lines = _Lines(text)
    reader = csv.reader(lines)
    rows: Rows = []
    with _field_limit(max(MAX_METADATA_BYTES, csv.field_size_limit())):
        try:
            header = next((cells for cells in reader if cells), [])
        except csv.Error as exc:
            skipped.append((name, f"not readable CSV ({exc})"))
            return []
        columns = _columns(header)
        if columns is None:
            runaway = any("\n" in c or "\r" in c for c in header)
            skipped.append((name, "unclosed quote in the header" if runaway else NO_COLUMNS))
            return []
        while lines.at < len(lines.lines):
            start = lines.at
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                cells, reason = [], f"not readable CSV ({exc})"
            else:
                reason = UNCLOSED if any(_reads_as_row(lines.lines[i], columns, is_image)
                                         for i in range(start + 1, lines.at)) or \
                    _open_at_end(lines, start) else None
            if reason is None:
                _add_row(rows, cells, columns, f"{name}:{start + 1}", skipped)
                continue
            skipped.append((f"{name}:{start + 1}", reason))
            lines.at = start + 1  # read again from the next line
    return rows


def _add_row(rows: Rows, cells: list[str], columns: tuple[int, int], where: str,
             skipped: list) -> None:
    if len(cells) > max(columns):
        rows.append((cells[columns[0]], cells[columns[1]]))
    elif any(c.strip() for c in cells):
        skipped.append((where, "no file_name and text (or caption)"))
