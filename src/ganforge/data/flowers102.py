"""`ganforge data download flowers102`: the Oxford 102 flowers from the official page, into
the user cache (`<cache>/flowers102/`, the folder `ganforge.data.captioned.flowers` reads).

    imagelabels.mat, setid.mat   checked by their published MD5
    102flowers.tgz               NOT pinned: no checksum of it is published, and ganforge has
                                 no trusted copy to take one from; its SHA-256 is printed so
                                 that a user can compare it with a copy they trust
    text_c10/                    the captions (Reed et al., 2016) are not on that page: the
                                 user downloads their archive and passes it with --captions

Every download is bounded in size and time (`ganforge.data.download`), every archive is
unpacked safely and atomically (`ganforge.data.archive`): `jpg/` and `text_c10/` appear whole
or not at all, and the downloaded archive is removed once unpacked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ganforge.data.archive import Limits, replace_folder, staging, unpack
from ganforge.data.download import fetch, from_mirrors, mirror_urls
from ganforge.data.registry import DataSet
from ganforge.errors import DataError
from ganforge.fileio import atomic_write, cache_root, sha256_file

NAME = "flowers102"
MIRRORS = ("https://www.robots.ox.ac.uk/~vgg/data/flowers/102/",)
IMAGES = 8189
IMAGE_LIMITS = Limits(members=IMAGES, member_bytes=8 << 20, total_bytes=1 << 30)
CAPTION_LIMITS = Limits(members=IMAGES, member_bytes=1 << 20, total_bytes=200 << 20)


@dataclass(frozen=True)
class RemoteFile:
    """A file of the official page: its name, its MD5 (None: not pinned), its size bound."""

    name: str
    md5: str | None
    max_bytes: int


LABELS = RemoteFile("imagelabels.mat", "e0620be6f572b9609742df49c70aed4d", 1 << 20)
SPLITS = RemoteFile("setid.mat", "a5357ecc9cb78c4bef273ce3793fc85c", 1 << 20)
ARCHIVE = RemoteFile("102flowers.tgz", None, 600 << 20)  # 330 MB as published


def flowers_folder() -> Path:
    """The cache folder the flowers reader searches: <cache>/flowers102."""
    return cache_root() / NAME


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _verify(spec: RemoteFile) -> Callable[[Path], None]:
    def check(path: Path) -> None:
        if spec.md5 is not None and (found := _md5(path)) != spec.md5:
            raise DataError(f"checksum mismatch (MD5 {found}, expected {spec.md5})")
    return check


def download_file(spec: RemoteFile, folder: Path) -> Path:
    """`folder/<name>`, downloaded from the first mirror that gives a verified copy (kept if
    already there and verified); written atomically."""
    target = folder / spec.name
    if target.is_file() and spec.md5 is not None and _md5(target) == spec.md5:
        return target
    verify = _verify(spec)

    def attempt(url: str) -> Path:
        def write(tmp: Path) -> None:
            with open(tmp, "wb") as out:
                fetch(url, out, spec.max_bytes)
            verify(tmp)
        return atomic_write(target, write)

    return from_mirrors(spec.name, mirror_urls(MIRRORS), attempt)


def _under(top: str) -> Callable[[PurePosixPath], PurePosixPath | None]:
    """Keep the members inside a folder named `top` (at any depth), from `top` on."""
    def select(rel: PurePosixPath) -> PurePosixPath | None:
        parts = rel.parts
        return PurePosixPath(*parts[parts.index(top):]) if top in parts[:-1] else None
    return select


def install_folder(archive: Path, top: str, folder: Path, limits: Limits) -> int:
    """Unpack the `top/` folder of `archive` into `folder/top` atomically; returns the number
    of files. One line if the archive holds no such folder."""
    with staging(folder / top) as stage:
        count = unpack(archive, stage / "out", _under(top), limits)
        if count == 0:
            raise DataError(f"{archive}: holds no {top}/ folder")
        replace_folder(stage / "out" / top, folder / top)
    return count


def install_captions(archive: Path | str, folder: Path | None = None) -> tuple[Path, int]:
    """The captions' `text_c10/` from a caption archive (tar.gz or zip) into the flowers folder."""
    archive, folder = Path(archive), folder or flowers_folder()
    if not archive.is_file():
        raise DataError(f"{archive}: no such caption archive")
    return folder / "text_c10", install_folder(archive, "text_c10", folder, CAPTION_LIMITS)


def download_flowers(folder: Path | None = None) -> tuple[Path, str | None]:
    """The label and split files and `jpg/` in `folder` (default: the cache), downloading
    what is missing. Returns the folder and the SHA-256 of 102flowers.tgz (None when `jpg/`
    was already there)."""
    folder = folder or flowers_folder()
    for spec in (LABELS, SPLITS):
        download_file(spec, folder)
    if (folder / "jpg").is_dir():
        return folder, None
    path = download_file(ARCHIVE, folder)
    try:
        digest = sha256_file(path)
        install_folder(path, "jpg", folder, IMAGE_LIMITS)
    finally:
        path.unlink(missing_ok=True)  # unpacked (or refused): the 330 MB are not kept
    return folder, digest


def download(entry: DataSet, captions: str | None, log: Callable[[str], None]) -> None:
    """`ganforge data download flowers102`: the caption archive unpacked first (it needs no
    network), then the label, split and image files; what is not pinned or still missing is
    said."""
    folder = flowers_folder()
    if captions is not None:
        where, count = install_captions(captions)
        log(f"{NAME}: {count} caption files unpacked into {where}")
    folder, digest = download_flowers(folder)
    log(f"{NAME}: imagelabels.mat and setid.mat verified (MD5), images in {folder / 'jpg'}")
    if digest is not None:
        log(f"{NAME}: 102flowers.tgz is NOT pinned (no published checksum): its SHA-256 was "
            f"{digest}; compare it with a copy you trust")
    if not (folder / "text_c10").is_dir():
        log(f"{NAME}: captions missing: copy text_c10/ of the 2016 caption release (Reed et "
            f"al.) to {folder / 'text_c10'}, or pass its archive with --captions ARCHIVE")
