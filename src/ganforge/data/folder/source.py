"""Where a folder data set's files come from: a folder on disk, or a zip or tar(.gz) archive
read member by member (never unpacked to disk). Each source lists its regular files as
`Member`s under relative POSIX names (listing.py) and reads one with a size bound; the
user's files are only ever read.

Refused, as skips with a reason (never followed or read): symbolic links leading out of the
folder, special files (FIFOs, devices, sockets), archive members with absolute names or
'..', links inside archives, members larger than listing.MAX_MEMBER_BYTES
(MAX_METADATA_BYTES for a metadata file); an archive whose files add up to more than
MAX_TOTAL_BYTES is refused as a whole.
"""

from __future__ import annotations

import os
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from ganforge.data.folder.listing import (
    Listing,
    Member,
    ignored,
    one_line,
    size_limit,
    strip_root,
)
from ganforge.data.registry import ARCHIVE_SUFFIXES
from ganforge.errors import DataError, MissingFolder
from ganforge.fileio import read_regular

MAX_TOTAL_BYTES = 16 * 2**30  # all the files of an archive, unpacked
MAX_MEMBERS = 2_000_000
# What a damaged or unsupported archive member raises when read
MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError,
                 RuntimeError, tarfile.TarError)


def is_archive(path: Path) -> bool:
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def member_name(name: str) -> str | None:
    """A member's relative name, or None for an absolute name or one with '..'."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or (path.parts and ":" in path.parts[0]) or ".." in path.parts:
        return None
    parts = [p for p in path.parts if p not in ("", ".")]
    return "/".join(parts) if parts else None


class FolderSource:
    """A folder on disk, walked without following links out of it."""

    kind = "folder"

    def __init__(self, root: Path):
        self.root = root.resolve()

    def stamp(self) -> str:
        """The folder's own path: two folders whose listings agree (copies, or files
        unpacked with fixed times) are two data sets."""
        return str(self.root)

    def listing(self) -> Listing:
        out = Listing()
        for top, dirs, files in os.walk(self.root, onerror=self._unreadable(out)):
            dirs.sort()
            for name in sorted(files):
                self._visit(Path(top) / name, out)
            for name in list(dirs):
                if (Path(top) / name).is_symlink():  # os.walk does not enter them; say so
                    dirs.remove(name)
                    out.skipped.append((self._rel(Path(top) / name), "link to a folder"))
        return out

    def _unreadable(self, out: Listing):
        def note(exc: OSError) -> None:
            out.skipped.append((self._rel(Path(exc.filename or self.root)),
                                f"folder unreadable ({exc.strerror})"))
        return note

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _visit(self, path: Path, out: Listing) -> None:
        rel = self._rel(path)
        try:
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(self.root):
                    out.skipped.append((rel, "link leading out of the folder"))
                    return
                if not ignored(target.relative_to(self.root).as_posix()):  # walked itself
                    out.skipped.append((rel, "link to a file of the folder (read once, as "
                                             "itself)"))
                    return
            info = path.stat()
        except OSError as exc:
            out.skipped.append((rel, f"unreadable ({exc.strerror or type(exc).__name__})"))
            return
        if not stat.S_ISREG(info.st_mode):
            out.skipped.append((rel, "not a regular file"))
        elif info.st_size > size_limit(rel):
            out.skipped.append((rel, f"file too large ({info.st_size} bytes)"))
        else:
            out.members.append(Member(rel, info.st_size, info.st_mtime_ns))

    def path_of(self, name: str) -> Path:
        return self.root / name

    def read(self, name: str) -> bytes:
        """The file's bytes (at most MAX_MEMBER_BYTES; a special file is refused)."""
        return read_regular(self.root / name, size_limit(name), "image or caption file")


class ArchiveSource:
    """An archive file: its path, and its stamp (path, size, time) in the cache key."""

    kind = "archive"

    def __init__(self, path: Path):
        self.path = path.resolve()

    def stamp(self) -> str:
        info = self.path.stat()
        return f"{self.path}\0{info.st_size}\0{info.st_mtime_ns}"


def _utf8_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its maker wrote it: zip tools that write UTF-8 names without the
    UTF-8 flag (Info-ZIP's `zip -r` on Linux and macOS) are read as UTF-8 when the bytes are
    UTF-8, not as the code page 437 the format assumes."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except UnicodeError:
        return info.filename


class ZipSource(ArchiveSource):
    kind = "zip"

    def __init__(self, path: Path):
        super().__init__(path)
        self._zip: zipfile.ZipFile | None = None

    def _open(self) -> zipfile.ZipFile:
        if self._zip is None:
            try:
                self._zip = zipfile.ZipFile(self.path)
            except (OSError, zipfile.BadZipFile, ValueError) as exc:
                raise DataError(f"{self.path}: not a readable zip archive ({exc})") from None
        return self._zip

    def listing(self) -> Listing:
        out, total, names = Listing(), 0, {}
        infos = self._open().infolist()
        if len(infos) > MAX_MEMBERS:
            raise DataError(f"{self.path}: more than {MAX_MEMBERS} members; refused")
        for info in infos:
            if info.is_dir():
                continue
            name = member_name(_utf8_name(info))
            kind = (info.external_attr >> 16) & 0o170000
            if name is None:
                out.skipped.append((info.filename[:200], "absolute name or '..'; refused"))
            elif kind and kind != stat.S_IFREG:
                out.skipped.append((name, "not a regular file (a link or device)"))
            elif info.flag_bits & 0x1:
                out.skipped.append((name, "encrypted"))
            elif info.file_size > size_limit(name):
                out.skipped.append((name, f"file too large ({info.file_size} bytes)"))
            else:
                total += info.file_size
                names[name] = info.filename
                out.members.append(Member(name, info.file_size))
        _check_total(self.path, total)
        root = strip_root(out)
        self._names = {n[len(root):] if n.startswith(root) else n: original  # as strip_root
                       for n, original in names.items()}
        return out

    def read(self, name: str) -> bytes:
        """A member's bytes; a damaged one (bad CRC, cut short) or one compressed by a
        method Python cannot read is a DataError naming it."""
        limit = size_limit(name)
        try:
            with self._open().open(self._names[name]) as fh:
                data = fh.read(limit + 1)
        except MEMBER_ERRORS as exc:
            raise DataError(f"{self.path}: member {name}: {one_line(exc)}") from None
        if len(data) > limit:
            raise DataError(f"{self.path}: member {name} is larger than it says")
        return data


class TarSource(ArchiveSource):
    """A tar archive (plain or compressed): members are read in order, once."""

    kind = "tar"

    def _open(self) -> tarfile.TarFile:
        try:
            return tarfile.open(self.path, "r:*")
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise DataError(f"{self.path}: not a readable tar archive ({one_line(exc)})"
                            ) from None

    def listing(self) -> Listing:
        out, total = Listing(), 0
        try:
            with self._open() as tar:
                for info in tar:
                    total = self._list_one(info, out, total)
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise DataError(f"{self.path}: damaged tar archive ({one_line(exc)})") from None
        self._root = strip_root(out)
        return out

    def _name(self, info: tarfile.TarInfo) -> str | None:
        """A regular member's name as listed (the common root dropped), else None."""
        name = member_name(info.name) if info.isfile() else None
        root = getattr(self, "_root", "")
        return name[len(root):] if name and name.startswith(root) else None

    def _list_one(self, info: tarfile.TarInfo, out: Listing, total: int) -> int:
        if info.isdir():
            return total
        name = member_name(info.name)
        if name is None:
            out.skipped.append((info.name[:200], "absolute name or '..'; refused"))
        elif not info.isfile():
            out.skipped.append((name, "not a regular file (a link or device)"))
        elif info.size > size_limit(name):
            out.skipped.append((name, f"file too large ({info.size} bytes)"))
        else:
            total += info.size
            _check_total(self.path, total)
            if len(out.members) >= MAX_MEMBERS:
                raise DataError(f"{self.path}: more than {MAX_MEMBERS} members; refused")
            out.members.append(Member(name, info.size))
        return total

    def read(self, name: str) -> bytes:
        """A text member's bytes (captions, metadata): every text member is read in one pass
        the first time one is asked for."""
        if not hasattr(self, "_texts"):
            self._texts = dict(self.read_where(
                lambda n: n.lower().endswith((".txt", ".jsonl", ".csv"))))
        if name not in self._texts:
            raise DataError(f"{self.path}: member {name} could not be read")
        return self._texts[name]

    def read_where(self, wanted: Callable[[str], bool]) -> Iterator[tuple[str, bytes]]:
        """(name, bytes) of each member whose name `wanted` accepts, in archive order, in one
        pass; a name the archive holds twice is read once (its first copy)."""
        seen: set[str] = set()
        try:
            with self._open() as tar:
                for info in tar:
                    name = self._name(info)
                    if name and name not in seen and wanted(name) and \
                            info.size <= size_limit(name):
                        seen.add(name)
                        fh = tar.extractfile(info)
                        yield name, b"" if fh is None else fh.read(size_limit(name))
        except MEMBER_ERRORS as exc:  # compressed data damaged after the listing's pass
            raise DataError(f"{self.path}: damaged tar archive ({one_line(exc)})") from None


def _check_total(path: Path, total: int) -> None:
    if total > MAX_TOTAL_BYTES:
        raise DataError(f"{path}: its files add up to more than {MAX_TOTAL_BYTES // 2**30} GiB "
                        "unpacked; refused")


def open_source(path: Path) -> FolderSource | ZipSource | TarSource:
    """The source behind a data-set path (a folder, or an archive by its suffix)."""
    if path.is_dir():
        if all((path / name).exists() for name in ("config.toml", "checkpoints",
                                                   "metrics.jsonl")):
            raise DataError(f"{path}: a ganforge run folder, not a data set of images (its "
                            f"samples are in {path / 'samples'})")
        return FolderSource(path)
    if not path.exists():
        raise MissingFolder(f"{path}: no such folder or archive")
    lower = path.name.lower()
    if lower.endswith(".zip"):
        return ZipSource(path)
    if is_archive(path):
        return TarSource(path)
    raise DataError(f"{path}: not a folder or a .zip/.tar/.tar.gz archive")
