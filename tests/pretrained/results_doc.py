"""Read the tables of docs/results.md: each table as a list of {column header: cell} rows."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[2] / "docs" / "results.md"


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def tables(text: str) -> list[list[dict[str, str]]]:
    """Every markdown table of `text`: header row, separator row, then data rows."""
    found: list[list[dict[str, str]]] = []
    lines = text.splitlines()
    for i in range(len(lines) - 1):
        if lines[i].startswith("|") and re.fullmatch(r"\|(\s*-+\s*\|)+", lines[i + 1].strip()):
            header = _cells(lines[i])
            rows = []
            for line in lines[i + 2:]:
                if not line.startswith("|"):
                    break
                rows.append(dict(zip(header, _cells(line), strict=True)))
            found.append(rows)
    return found


def find_row(first_column: str, value: str, **match: str) -> dict[str, str]:
    """The one row of docs/results.md whose `first_column` cell is `value` (code-quoted) and
    whose other cells equal `match` (column name -> cell)."""
    hits = [row for table in tables(RESULTS.read_text()) for row in table
            if row.get(first_column) == f"`{value}`"
            and all(row.get(k) == v for k, v in match.items())]
    assert len(hits) == 1, f"{RESULTS}: {len(hits)} rows for {value!r} {match}"
    return hits[0]


def first_number(cell: str) -> str:
    """The first figure of a cell, as written: "**0.944**" -> "0.944", "453.71 (1.41)" ->
    "453.71", "8/10 (10/10)" -> "8/10"."""
    found = re.search(r"-?\d+(?:\.\d+)?(?:/\d+)?", cell)
    assert found, f"no figure in table cell {cell!r}"
    return found.group(0)
