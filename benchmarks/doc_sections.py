"""Sections of a markdown file that a benchmark script owns: the text between
`<!-- NAME:start -->` and `<!-- NAME:end -->`. A script rewrites its own section and leaves
the rest of the file as it is."""

from __future__ import annotations

from pathlib import Path

from ganforge.fileio import atomic_write_text


def write_section(doc: Path, name: str, text: str) -> None:
    """Replace section `name` of `doc` with `text` (or append it, creating the file)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{text.strip()}\n{end}"
    old = doc.read_text() if doc.exists() else "# ganforge results\n"
    if start in old and end in old:
        head, rest = old.split(start, 1)
        new = head + block + rest.split(end, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(doc, new)
