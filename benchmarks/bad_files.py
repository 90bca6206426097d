"""Peak memory of ganforge refusing bad input files: each case is a real `ganforge` command
run in a fresh process, its peak RSS read from ru_maxrss (RUSAGE_CHILDREN of a wrapper that
runs only that command), its exit code and its one line of stderr printed as a Markdown table.

    PYTHONPATH=src OMP_NUM_THREADS=1 python benchmarks/bad_files.py [--workdir DIR]

Builds its files in a temporary folder (a 2.9 GB zip bomb and a 3 GB gzip bomb among them,
each a few MB on disk); needs the real MNIST files in $GANFORGE_DATA for the IDX cases.
"""

from __future__ import annotations

import argparse
import gzip
import os
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

MB = 1 << 20
WRAPPER = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], "
           "capture_output=True, text=True); print(r.returncode, "
           "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
           "print(((r.stderr.strip() or r.stdout.strip()).splitlines() or [''])[-1])")


def npy(shape: tuple[int, ...], descr: str = "|u1") -> bytes:
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (-(len(header) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


def zip_bomb(path: Path, total: int) -> Path:
    """An npz whose member (5 images by its header) inflates to `total` bytes of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("images.npy", "w", force_zip64=True) as member:
            member.write(npy((5, 28, 28)))
            zeros = bytes(16 * MB)
            for _ in range(total // len(zeros)):
                member.write(zeros)
    return path


def gzip_bomb(path: Path, total: int) -> Path:
    with gzip.open(path, "wb", compresslevel=9) as out:
        zeros = bytes(16 * MB)
        for _ in range(total // len(zeros)):
            out.write(zeros)
    return path


def mnist_with(folder: Path, bad: str, make: Callable[[Path], Path]) -> Path:
    """A data folder holding mnist with one file replaced by `make`'s."""
    real = Path(os.environ.get("GANFORGE_DATA", "/work/shared/datasets")) / "mnist"
    target = folder / "mnist"
    target.mkdir(parents=True)
    for source in real.glob("*-ubyte.gz"):
        if source.name != bad:
            (target / source.name).symlink_to(source)
    make(target / bad)
    return folder


def tar_of(path: Path, members: dict[str, int | bytes]) -> Path:
    """A tar.gz; an int member is that many zero bytes, streamed."""
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = data if isinstance(data, int) else len(data)
            source = ZeroReader(data) if isinstance(data, int) else __import__("io").BytesIO(data)
            tar.addfile(info, source)
    return path


class ZeroReader:
    def __init__(self, size: int):
        self.left = size

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return bytes(n)


def t2i_naming(encoder: Path, folder: Path) -> Path:
    """The shipped t2i-fashion checkpoint, its config changed to name `encoder`."""
    import json

    from ganforge.pretrained.store import pretrained_folder

    folder.mkdir()
    meta = json.loads((pretrained_folder() / "t2i-fashion.json").read_text())
    meta["config"]["model"]["text_encoder"] = str(encoder)
    (folder / "t2i-fashion.safetensors").symlink_to(pretrained_folder() / meta["tensors"])
    (folder / "t2i-fashion.json").write_text(json.dumps(meta))
    return folder / "t2i-fashion.json"


def cases(work: Path) -> list[tuple[str, str, list[str], dict[str, str]]]:
    """(case, file, command, extra environment) of each bad file."""
    (work / "huge.npz").write_bytes(npy((10**9, 28, 28)))
    with zipfile.ZipFile(work / "huge-header.npz", "w") as zf:
        zf.writestr("images.npy", npy((10**9, 28, 28)))
    bomb = zip_bomb(work / "bomb.npz", 2900 * MB)
    np.save(work / "bare.npy", np.zeros((100, 28, 28), np.uint8))
    np.savez(work / "two.npz", images=np.zeros((2, 28, 28), np.uint8))
    gz = mnist_with(work / "gz", "train-images-idx3-ubyte.gz",
                    lambda p: gzip_bomb(p, 3 * 1024 * MB))
    mirror = work / "mirror"
    mirror.mkdir()
    for name in ("train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                 "t10k-labels-idx1-ubyte.gz"):
        (mirror / name).symlink_to(gz / "mnist" / name)
    (mirror / "train-images-idx3-ubyte.gz").symlink_to(gz / "mnist" / "train-images-idx3-ubyte.gz")
    encoder = work / "encoder"
    encoder.mkdir()
    (encoder / "pytorch_model.bin").write_bytes(b"\x80\x04cos\nsystem\n.")
    checkpoint = t2i_naming(encoder, work / "t2i")
    tar_of(work / "captions-bomb.tgz", {"text_c10/class_00001/image_00001.txt": 2 * 1024 * MB})
    tar_of(work / "captions-evil.tgz", {"text_c10/../../evil.txt": b"x"})
    npz = ["evaluate", "--samples"]
    return [
        ("npz: header claims 10^9 images (bare .npy)", f"{os.path.getsize(work / 'huge.npz')} B",
         [*npz, str(work / "huge.npz"), "--dataset", "mnist"], {}),
        ("npz: header claims 10^9 images", f"{os.path.getsize(work / 'huge-header.npz')} B",
         [*npz, str(work / "huge-header.npz"), "--dataset", "mnist"], {}),
        ("npz: zip bomb, 2.9 GB uncompressed", f"{bomb.stat().st_size / MB:.1f} MB",
         [*npz, str(bomb), "--dataset", "mnist"], {}),
        ("npz: 2 images (KID needs 4)", "", [*npz, str(work / "two.npz"), "--dataset", "mnist"],
         {}),
        ("IDX: gzip bomb (3 GB) as train-images", "3.0 MB",
         ["data", "check", "mnist", "--data-dir", str(gz)], {"GANFORGE_NO_DOWNLOAD": "1"}),
        ("IDX: gzip bomb on a download mirror", "3.0 MB", ["data", "download", "mnist"],
         {"GANFORGE_MIRRORS": str(mirror), "XDG_CACHE_HOME": str(work / "cache")}),
        ("flowers captions: a 2 GB member", "",
         ["data", "download", "flowers102", "--captions", str(work / "captions-bomb.tgz")],
         {"XDG_CACHE_HOME": str(work / "cache2"), "GANFORGE_MIRRORS": str(work / "none")}),
        ("flowers captions: a '..' member", "",
         ["data", "download", "flowers102", "--captions", str(work / "captions-evil.tgz")],
         {"XDG_CACHE_HOME": str(work / "cache3"), "GANFORGE_MIRRORS": str(work / "none")}),
        ("text encoder folder: pickled pytorch_model.bin", "",
         ["generate", str(checkpoint), "a coat", "--out", str(work / "x.png"),
          "--text-encoder-dir", str(encoder)], {}),
    ]


def measure(command: list[str], env: dict[str, str]) -> tuple[int, float, str]:
    full = [sys.executable, "-c", WRAPPER, sys.executable, "-m", "ganforge", *command]
    out = subprocess.run(full, capture_output=True, text=True, env={**os.environ, **env},
                         check=True).stdout.splitlines()
    code, kib = out[0].split()
    return int(code), int(kib) / 1024, out[1] if len(out) > 1 else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", help="build the files here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        print("| case | file | exit | peak RSS | message |")
        print("|---|---|---|---|---|")
        for name, size, command, env in cases(work):
            code, rss, line = measure(command, env)
            line = line.replace(str(work), "…").replace("|", "\\|")
            line = line if len(line) <= 150 else line[:147] + "..."
            print(f"| {name} | {size} | {code} | {rss:.0f} MB | {line} |", flush=True)


if __name__ == "__main__":
    main()
