"""The files and commands of benchmarks/hostile_files.py, one Case each (see there)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SYNTHETIC = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ganforge" / \
    "synthetic-flowers"
PRETRAINED = Path(__file__).resolve().parents[1] / "src" / "ganforge" / "pretrained"


@dataclass
class Case:
    cls: int
    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    exit_code: int = 2
    one_line: bool = True
    check: Callable[[], str | None] | None = None  # None when nothing was harmed
    setup: Callable[[], Callable[[], None] | None] | None = None  # returns its undo

    @contextlib.contextmanager
    def prepared(self) -> Iterator[None]:
        undo = self.setup() if self.setup else None
        try:
            yield
        finally:
            if undo:
                undo()


def save_mat(path: Path, compress: bool = False, **arrays) -> None:
    from scipy.io import savemat

    savemat(str(path), arrays, do_compression=compress)


def mat_bomb(path: Path, count: int) -> None:
    """A compressed .mat whose 'labels' (1 x count uint8) inflates to `count` bytes."""
    inner = struct.pack("<IIIIIIii", 6, 8, 9, 0, 5, 8, 1, count) + \
        struct.pack("<II", 1, 6) + b"labels\0\0" + struct.pack("<II", 2, count)
    size = len(inner) + count + (-count) % 8
    deflater, body = zlib.compressobj(9), b""
    body = deflater.compress(struct.pack("<II", 14, size) + inner)
    chunk = bytes(16 << 20)
    for _ in range(count // len(chunk)):
        body += deflater.compress(chunk)
    body += deflater.flush()
    header = b"MATLAB 5.0 MAT-file".ljust(116) + bytes(8) + b"\x00\x01IM"
    path.write_bytes(header + struct.pack("<II", 15, len(body)) + body)


def jpeg(size: tuple[int, int], claim: tuple[int, int] | None = None) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 40)).save(buffer, format="JPEG")
    data = bytearray(buffer.getvalue())
    if claim:
        at = data.index(b"\xff\xc0") + 5
        data[at:at + 4] = struct.pack(">HH", claim[1], claim[0])
    return bytes(data)


def png_claiming(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (4, 4)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    at = data.index(b"IHDR")
    data[at + 4:at + 12] = struct.pack(">II", width, height)
    data[at + 17:at + 21] = struct.pack(">I", zlib.crc32(bytes(data[at:at + 17])))
    return bytes(data)


def swap(path: Path, make: Callable[[Path], None]) -> Callable[[], Callable[[], None]]:
    """A setup that puts `make`'s file at `path` (a hard-linked copy's file) and its undo."""
    def setup() -> Callable[[], None]:
        keep = path.with_name(path.name + ".keep")
        os.replace(path, keep)
        make(path)

        def undo() -> None:
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink(missing_ok=True)
            os.replace(keep, path)
        return undo
    return setup


def special(kind: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "/dev/zero":
            path.symlink_to("/dev/zero")
        elif kind == "sparse 2 GiB":
            with open(path, "wb") as fh:
                fh.truncate(2 << 30)
        elif kind.startswith("bytes:"):
            path.write_bytes(eval(kind[6:]))  # noqa: S307 (the benchmark's own literals)
    return make


def linked_synthetic(work: Path) -> Path:
    import shutil

    root = work / "synthetic" / "synthetic-flowers"
    shutil.copytree(SYNTHETIC, root, copy_function=os.link,
                    ignore=shutil.ignore_patterns("*.safetensors"))
    return root


def device_unchanged(path: str) -> Callable[[], str | None]:
    before = os.lstat(path)

    def check() -> str | None:
        after = os.lstat(path)
        return None if stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino \
            else f"{path} replaced"
    return check


def text_kept(path: Path, text: str) -> Callable[[], str | None]:
    return lambda: None if path.is_file() and path.read_text() == text else f"{path} changed"


def build_cases(work: Path) -> list[Case]:
    from hostile_cases import all_cases

    return all_cases(work)


def holder(run: Path) -> Callable[[], Callable[[], None]]:
    """A setup: another process holds the run folder's lock until the undo."""
    code = ("import sys, time\nfrom ganforge.runs.lock import run_lock\n"
            "with run_lock(sys.argv[1]):\n    print('held', flush=True); time.sleep(300)")

    def setup() -> Callable[[], None]:
        proc = subprocess.Popen([sys.executable, "-c", code, str(run)], stdout=subprocess.PIPE,
                                text=True)
        proc.stdout.readline()
        return lambda: (proc.kill(), proc.wait())
    return setup


def bad_records(folder: Path) -> None:
    folder.mkdir()
    good = json.loads((PRETRAINED / "mlp-mnist.json").read_text())
    for name, change in (("evaluation-list", {"evaluation": []}),
                         ("fd-text", {"evaluation": {"metrics": {"fd": "abc"}}})):
        record = json.loads(json.dumps(good))
        record["pretrained"].update(change)
        (folder / f"{name}.json").write_text(json.dumps(record))
    (folder / "good.json").write_text(json.dumps(good))


def encrypted_npz(path: Path) -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((8, 28, 28), np.uint8))
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("images.npy", buffer.getvalue())
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        data[data.index(signature) + offset] |= 1
    path.write_bytes(bytes(data))
