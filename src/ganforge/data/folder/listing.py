"""What a source of a folder data set lists: its files as `Member`s under relative POSIX
names (with the reasons others were skipped), the bounds on what is read, the names passed
over without a word, and an archive's common root folder. The sources themselves (a folder,
a zip, a tar) are in source.py."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

MAX_MEMBER_BYTES = 64 * 2**20  # one image or caption file
MAX_METADATA_BYTES = 256 * 2**20  # a top-level metadata.jsonl or metadata.csv
METADATA = ("metadata.jsonl", "metadata.csv")  # captions for the whole folder
# Never data, never listed: macOS and Windows leftovers, and a folder's own notes
IGNORED_NAMES = ("thumbs.db", ".ds_store", "dataset.json")
IGNORED_STEMS = ("readme", "license")


def ignored(name: str) -> bool:
    """Files passed over without a word: hidden files and folders, __MACOSX/, Thumbs.db,
    .DS_Store, dataset.json, and README or LICENSE files of any suffix (any case)."""
    parts = PurePosixPath(name).parts
    last = parts[-1].lower()
    return any(p.startswith(".") for p in parts) or parts[0] == "__MACOSX" or \
        last in IGNORED_NAMES or last.split(".")[0] in IGNORED_STEMS


def size_limit(name: str) -> int:
    """The largest file read under `name`: a metadata file at the top (or one folder down:
    an archive's root folder) may be larger than one image or caption file."""
    path = PurePosixPath(name)
    return MAX_METADATA_BYTES if path.name in METADATA and len(path.parts) <= 2 \
        else MAX_MEMBER_BYTES


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (some libraries list several attempts)."""
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def first_names(names: list[str], shown: int) -> str:
    """The first `shown` names, joined by commas, with " ..." when there are more; a name
    that could not be told apart in the list (spaces at its ends, a comma and space inside,
    or empty) is shown in double quotes."""
    def apart(name: str) -> str:
        return f'"{name}"' if name != name.strip() or ", " in name or not name else name

    return ", ".join(map(apart, names[:shown])) + (" ..." if len(names) > shown else "")


def read_failure(exc: BaseException) -> str:
    """Why a file could not be read, short enough for a skip list: the last part of its
    message ("<path>: member <name>: Bad CRC-32 ..." -> "Bad CRC-32 ...")."""
    return str(exc).rsplit(": ", 1)[-1][:80]


@dataclass(frozen=True)
class Member:
    name: str  # relative POSIX path inside the folder or archive
    size: int
    mtime_ns: int = 0


@dataclass
class Listing:
    """The usable files of a source, and those skipped before reading, with the reason."""

    members: list[Member] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def key(self) -> str:
        """SHA-256 of the names, sizes and modification times (the cache key's part)."""
        digest = hashlib.sha256()
        for m in self.members:
            digest.update(f"{m.name}\0{m.size}\0{m.mtime_ns}\n".encode("utf-8", "replace"))
        return digest.hexdigest()


def common_root(listing: Listing) -> str:
    """The one folder every member of an archive lies in ("pets/" for a zip of the folder
    pets), or "" when there is none: an archive of a folder reads like the folder. Ignored
    files (a __MACOSX/ folder beside it, a README) do not count."""
    names = [m.name for m in listing.members if not ignored(m.name)]
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1 or any("/" not in name for name in names):
        return ""
    return tops.pop() + "/"


def strip_root(listing: Listing) -> str:
    """Drop the common root from the member names that hold it, and from the names of the
    members passed over (in place; a skip list names files as the folder would); return it."""
    root = common_root(listing)
    if root:
        listing.members = [Member(m.name[len(root):], m.size, m.mtime_ns)
                           if m.name.startswith(root) else m for m in listing.members]
        listing.skipped = [(n[len(root):] if n.startswith(root) else n, reason)
                           for n, reason in listing.skipped]
    return root
