"""Finding an IDX data set's files on disk, downloading them when missing, and checking them.

Search order for data set ``NAME``: the ``data_dir`` argument, ``$GANFORGE_DATA``
(several folders may be joined with ``os.pathsep``), the user cache
(``$XDG_CACHE_HOME/ganforge`` or ``~/.cache/ganforge``), then the spec's system
folders. Under each root R the files are looked for in ``R/NAME/`` and then in ``R/``.
Downloads go to the user cache and can be disabled with ``GANFORGE_NO_DOWNLOAD=1``;
``GANFORGE_MIRRORS`` (comma-separated base URLs or folders) replaces the mirror list. Every
file's size is known, so reading, decompressing and downloading it are bounded by it
(see :mod:`ganforge.data.download` for the time bound).
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from pathlib import Path

from ganforge.data.download import fetch, from_mirrors, mirror_urls
from ganforge.data.idx import decode_content, parse_idx, read_hashed
from ganforge.data.idx_specs import ROLES, DatasetSpec, FileSpec
from ganforge.data.registry import DataSet, get_spec
from ganforge.errors import DataError
from ganforge.fileio import PathLike, atomic_write_bytes, cache_root


def search_dirs(name: str, data_dir: PathLike | None = None) -> list[Path]:
    """Return, in search order and without repeats, the folders where ``name``'s files may be."""
    spec = get_spec(name)
    roots: list[Path] = []
    if data_dir is not None and str(data_dir):
        roots.append(Path(data_dir).expanduser())
    env = os.environ.get("GANFORGE_DATA", "")
    roots.extend(Path(p).expanduser() for p in env.split(os.pathsep) if p)
    roots.append(cache_root())
    dirs = [d for root in roots for d in (root / spec.name, root)]
    dirs.extend(Path(d) for d in spec.system_dirs)
    return list(dict.fromkeys(dirs))


def _file_in(folder: Path, fspec: FileSpec) -> Path | None:
    """Return ``folder/<filename>.gz`` or ``folder/<filename>``, whichever exists first."""
    for candidate in (folder / fspec.gz_name, folder / fspec.filename):
        if candidate.is_file():
            return candidate
    return None


def _files_in(folder: Path, spec: DatasetSpec) -> dict[str, Path] | None:
    """Return the four files of ``spec`` if ``folder`` holds them all, else None."""
    found: dict[str, Path] = {}
    for role, fspec in spec.files().items():
        path = _file_in(folder, fspec)
        if path is None:
            return None
        found[role] = path
    return found


def _locate(spec: DatasetSpec, data_dir: PathLike | None) -> dict[str, Path] | None:
    """Return the files from the first searched folder holding all four, or None."""
    for folder in search_dirs(spec.name, data_dir):
        found = _files_in(folder, spec)
        if found is not None:
            return found
    return None


def mirrors_for(spec: DatasetSpec) -> tuple[str, ...]:
    """Return the download base URLs: ``$GANFORGE_MIRRORS`` if set, else the spec's mirrors."""
    return mirror_urls(spec.mirrors)


def _download_disabled() -> bool:
    """Return True if ``$GANFORGE_NO_DOWNLOAD`` asks not to download."""
    value = os.environ.get("GANFORGE_NO_DOWNLOAD", "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


def _fetch(url: str, fspec: FileSpec, folder: Path) -> Path:
    """Download one file from ``url`` (bounded in size and time), check its content's sha256
    (hashed while it is decompressed, itself bounded by the file's known size) and store it
    atomically."""
    size = fspec.content_bytes
    buffer = io.BytesIO()
    fetch(url, buffer, max_bytes=size + size // 100 + 4096)  # gzip may add a little
    raw = buffer.getvalue()
    digest = hashlib.sha256()
    try:
        decode_content(raw, url, size, digest)
    except DataError as exc:  # drop the URL prefix: the caller names the mirror and file
        raise DataError(str(exc).removeprefix(f"{url}: ")) from None
    if digest.hexdigest() != fspec.sha256:
        raise DataError(f"checksum mismatch (sha256 {digest.hexdigest()}, "
                        f"expected {fspec.sha256})")
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / (fspec.gz_name if raw.startswith(b"\x1f\x8b") else fspec.filename)
    return atomic_write_bytes(dest, raw)


def _download_file(fspec: FileSpec, mirrors: tuple[str, ...], folder: Path) -> Path:
    """Return a verified copy of ``fspec`` in ``folder``, trying each mirror in turn."""
    existing = _file_in(folder, fspec)
    if existing is not None and _verified(existing, fspec):
        return existing
    return from_mirrors(fspec.gz_name, mirrors, lambda url: _fetch(url, fspec, folder))


def _verified(path: Path, fspec: FileSpec) -> bool:
    """Like :func:`verify_file` but a corrupt file counts as unverified instead of raising."""
    try:
        return verify_file(path, fspec)
    except DataError:
        return False


def download_dataset(name: str) -> dict[str, Path]:
    """Download data set ``name`` into the user cache and return its four verified files."""
    spec = get_spec(name)
    folder = cache_root() / spec.name
    mirrors = mirrors_for(spec)
    return {role: _download_file(f, mirrors, folder) for role, f in spec.files().items()}


def download_idx(entry: DataSet, captions: str | None, log: Callable[[str], None]) -> None:
    """`ganforge data download` of an IDX set: its four files, verified, in the user cache."""
    files = download_dataset(entry.name)
    log(f"{entry.name}: downloaded and verified in {next(iter(files.values())).parent}")


def find_files(name: str, data_dir: PathLike | None = None,
               download: bool = True) -> dict[str, Path]:
    """Return the paths of data set ``name``'s files keyed by role.

    The first searched folder that holds all four files wins. Otherwise, if
    ``download`` is true and ``$GANFORGE_NO_DOWNLOAD`` is not set, the files are
    downloaded into the user cache. Raises a one-line :class:`DataError` listing
    the folders searched (and why a download failed) if nothing is found.
    """
    spec = get_spec(name)
    found = _locate(spec, data_dir)
    _refuse_unusable_roots(spec.name, data_dir, found)
    if found is not None:
        return found
    looked = ", ".join(str(d) for d in search_dirs(spec.name, data_dir))
    message = f"data set '{spec.name}' not found; looked in: {looked}{_hint(spec.name)}"
    if not download:
        raise DataError(message)
    if _download_disabled():
        raise DataError(f"{message} (download disabled by GANFORGE_NO_DOWNLOAD)")
    try:
        return download_dataset(spec.name)
    except DataError as exc:
        where = ", ".join(mirrors_for(spec)) or "no mirror"
        raise DataError(f"{message} (and download from {where} failed: {exc})") from None


def _hint(name: str) -> str:
    """Where to put a missing IDX set, and the command that fetches it."""
    return (f" (put its four files in DIR/{name}/ and set GANFORGE_DATA=DIR, or fetch them "
            f"with: ganforge data download {name})")


def usable_sets(root: Path) -> list[str]:
    """The data sets a data folder holds: an IDX set's four files in ROOT/NAME/ or ROOT/, or
    a folder ROOT/NAME/ of any other known set (nothing is hashed)."""
    from ganforge.data.registry import DATASETS, data_sets

    if not root.is_dir():
        return []
    idx = [name for name, spec in DATASETS.items()
           if _files_in(root / name, spec) is not None or _files_in(root, spec) is not None]
    others = [name for name in data_sets() if name not in DATASETS and (root / name).is_dir()]
    return idx + others


def _refuse_unusable_roots(name: str, data_dir: PathLike | None,
                           found: dict[str, Path] | None) -> None:
    """A --data-dir, or a GANFORGE_DATA folder, that holds no data set at all is a mistake:
    refuse it in one line rather than use the set found in a later folder without a word."""
    roots = [("--data-dir", Path(data_dir).expanduser())] if data_dir and str(data_dir) else []
    env = os.environ.get("GANFORGE_DATA", "")
    roots += [("GANFORGE_DATA", Path(p).expanduser()) for p in env.split(os.pathsep) if p]
    if found is None:
        return  # not found anywhere: the not-found line names every folder looked in
    where = found["train_images"].parent
    for option, root in roots:
        if where in (root, root / name):
            return  # the set came from this folder (or one before it)
        if not usable_sets(root):
            raise _unusable(option, root, name)


def refuse_unusable_data_dir(data_dir: PathLike) -> None:
    """A --data-dir that holds no data set at all (missing, a file, or no set in it): the
    one line `ganforge train` gives for it, for the commands that only look (data list)."""
    root = Path(data_dir).expanduser()
    if not usable_sets(root):
        raise _unusable("--data-dir", root, None)


def _unusable(option: str, root: Path, name: str | None) -> DataError:
    """The one line of a data folder holding no data set (`name`: the one looked for)."""
    state = "does not exist" if not root.exists() else "holds no data set"
    fix = (f"give the folder that holds {name}/, or fetch it with: ganforge data download "
           f"{name}" if name else "give the folder that holds them")
    return DataError(f"{option} {root} {state} (a data folder holds NAME/ folders such as "
                     f"{name or 'mnist'}/, e.g. ~/.cache/ganforge); {fix}")


def verify_file(path: PathLike, spec: FileSpec) -> bool:
    """Return True if the uncompressed content of ``path`` has the sha256 of ``spec``.

    Raises :class:`DataError` if the file cannot be read or is corrupt gzip.
    """
    return read_hashed(path, spec.content_bytes)[1] == spec.sha256


def _check_file(role: str, path: Path, fspec: FileSpec) -> dict[str, object]:
    """Hash and parse one file and report what was found."""
    report: dict[str, object] = {
        "role": role, "path": str(path), "shape": None, "expected_shape": fspec.shape,
        "sha256": None, "sha256_ok": False, "shape_ok": False, "ok": False, "error": None,
    }
    try:
        content, report["sha256"] = read_hashed(path, fspec.content_bytes)
        report["sha256_ok"] = report["sha256"] == fspec.sha256
        shape = tuple(parse_idx(content, path).shape)
    except DataError as exc:
        report["error"] = str(exc)
        return report
    report["shape"] = shape
    report["shape_ok"] = shape == fspec.shape
    report["ok"] = bool(report["sha256_ok"] and report["shape_ok"])
    if not report["sha256_ok"]:
        report["error"] = (f"{path}: checksum mismatch "
                           f"(sha256 {report['sha256']}, expected {fspec.sha256})")
    elif not report["shape_ok"]:
        report["error"] = f"{path}: shape {shape}, expected {fspec.shape}"
    return report


def check_idx(entry: DataSet, data_dir: PathLike | None = None) -> list[dict[str, object]]:
    """The `ganforge data check` reports of an IDX set's four files, without downloading (a
    set built from one, ``entry.base``, checks that one's). Each report has ``role``,
    ``path``, ``shape`` (None if unreadable), ``expected_shape``, ``sha256``, ``sha256_ok``,
    ``shape_ok``, ``ok`` and ``error`` (None, or a one-line message). Raises
    :class:`DataError` if the files are not found.
    """
    spec = get_spec(entry.base or entry.name)
    files = find_files(spec.name, data_dir, download=False)
    return [_check_file(role, files[role], spec.files()[role]) for role in ROLES]


def find_idx(entry: DataSet, rows: list[dict[str, object]], data_dir: PathLike | None = None
             ) -> tuple[bool, str]:
    """Whether and where an IDX set's four files are (`ganforge data list`; nothing hashed)."""
    found = _locate(get_spec(entry.name), data_dir)
    return found is not None, str(found["train_images"].parent) if found else "not found"


def find_built(entry: DataSet, rows: list[dict[str, object]], how: str) -> tuple[bool, str]:
    """Whether and where a set built from ``entry.base`` is: wherever that set was found,
    given the `ganforge data list` rows before it (``how``: "built from", ...)."""
    row = next((r for r in rows if r["name"] == entry.base), None)
    if row is None or not row["found"]:
        return False, f"not found (needs {entry.base})"
    return True, f"{how} {entry.base} ({row['location']})"
