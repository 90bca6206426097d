"""The cases of benchmarks/hostile_files.py, by the class of issue 37 they attack."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import numpy as np
from hostile_makers import (
    PRETRAINED,
    Case,
    bad_records,
    device_unchanged,
    encrypted_npz,
    holder,
    jpeg,
    linked_synthetic,
    mat_bomb,
    png_claiming,
    save_mat,
    special,
    swap,
    text_kept,
)

META = Path(os.environ.get("GANFORGE_DATA", "/work/shared/datasets")) / "flowers102-meta"
MLP = str(PRETRAINED / "mlp-mnist.json")


def mat_cases(work: Path) -> list[Case]:
    root = work / "flowers" / "flowers102"
    root.mkdir(parents=True)
    for name in ("imagelabels.mat", "setid.mat"):
        shutil.copy(META / name, root / name)
    from scipy.sparse import csr_matrix

    labels, setid = root / "imagelabels.mat", root / "setid.mat"
    check = ["data", "check", "flowers102", "--data-dir", str(root.parent)]
    ids = {k: np.arange(a, b)[None].astype(np.uint16) for k, a, b in
           (("trnid", 1, 1021), ("valid", 1021, 2041), ("tstid", 2041, 8190))}
    bad = {
        "labels a string": (labels, lambda p: save_mat(p, labels="one two three")),
        "labels a cell": (labels, lambda p: save_mat(p, labels=np.array([[1, 2]], object))),
        "labels a struct": (labels, lambda p: save_mat(p, labels={"a": 1})),
        "labels sparse": (labels, lambda p: save_mat(p, labels=csr_matrix(np.ones((1, 9))))),
        "labels: 10^9 bytes compressed (<1 MB)": (labels, lambda p: mat_bomb(p, 10**9)),
        "labels: 1.5x10^8 entries compressed": (labels, lambda p: mat_bomb(p, 150_000_000)),
        "setid: an id twice": (setid, lambda p: save_mat(p, **{**ids, "trnid": np.full(
            (1, 1020), 7, np.uint16)})),
        "setid: train/test overlap": (setid, lambda p: save_mat(p, **{**ids, "valid": ids[
            "trnid"]})),
    }
    return [Case(1, name, check, setup=swap(path, make)) for name, (path, make) in bad.items()]


def synthetic_cases(work: Path) -> list[Case]:
    root = linked_synthetic(work)
    check = ["data", "check", "synthetic-flowers", "--data-dir", str(root.parent)]
    image = root / "jpg" / "image_00001.jpg"
    text = next((root / "text_c10").glob("class_*/image_00001.txt"))
    record = text.with_suffix(".json")
    files = {
        (2, "JPEG header claiming 50,000^2"): (image, lambda p: p.write_bytes(
            jpeg((16, 16), (50_000, 50_000)))),
        (2, "JPEG header claiming 13,000^2"): (image, lambda p: p.write_bytes(
            jpeg((16, 16), (13_000, 13_000)))),
        (2, "JPEG of 1x65,500"): (image, lambda p: p.write_bytes(jpeg((16, 16), (1, 65_500)))),
        (2, "PNG of 1x2,000,000 named .jpg"): (image, lambda p: p.write_bytes(
            png_claiming(1, 2_000_000))),
        (3, "image: a FIFO"): (image, special("fifo")),
        (3, "caption file: a FIFO"): (text, special("fifo")),
        (3, "caption file: /dev/zero"): (text, special("/dev/zero")),
        (3, "caption file: 2 GiB sparse"): (text, special("sparse 2 GiB")),
        (3, "caption file: one 10 MB line"): (text, special("bytes:b'a' * (10 << 20)")),
        (3, "JSON record: a FIFO"): (record, special("fifo")),
        (3, "JSON record: /dev/zero"): (record, special("/dev/zero")),
        (4, "JSON record: 20,000 nested brackets"): (record, special(
            "bytes:b'[' * 20000 + b']' * 20000")),
        (4, "JSON record: 200,000 nested brackets"): (record, special(
            "bytes:b'[' * 200000 + b']' * 200000")),
    }
    return [Case(cls, name, check, setup=swap(path, make))
            for (cls, name), (path, make) in files.items()]


def number_cases(work: Path) -> list[Case]:
    out = ["--out", str(work / "x.png")]
    return [Case(7, f"{cmd[0]} {' '.join(args)}", cmd + args) for cmd, args in (
        (["sample", "--pretrained", "mlp-mnist", *out], ["--seed", str(2**64)]),
        (["sample", "--pretrained", "mlp-mnist", *out], ["--seed", str(2**70)]),
        (["sample", "--pretrained", "mlp-mnist", *out], ["-n", str(10**9)]),
        (["sample", "--pretrained", "mlp-mnist", *out], ["--nrow", "0"]),
        (["generate", "--pretrained", "t2i-fashion", "a coat", *out], ["--seed", str(2**64)]),
        (["evaluate", MLP], ["--seed", str(2**64)]),
        (["pretrained", "export", MLP, "x"], ["--seed", str(2**70)]),
        (["serve", "--pretrained", "mlp-mnist"], ["--threads", "2000"]))]


def output_cases(work: Path) -> list[Case]:
    (work / "file").write_text("keep")
    node = work / "null-node"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    (work / "mine.txt").write_text("mine")
    (work / "link.png").symlink_to(work / "mine.txt")
    sample = ["sample", "--pretrained", "mlp-mnist", "-n", "4", "--out"]
    kept = text_kept(work / "file", "keep")
    return [
        Case(8, "evaluate --json /dev/full", ["evaluate", MLP, "--json", "/dev/full"],
             check=device_unchanged("/dev/full")),
        Case(8, "sample --out a device node", [*sample, str(node)],
             check=device_unchanged(str(node))),
        Case(8, "sample --out a symlink", [*sample, str(work / "link.png")],
             check=text_kept(work / "mine.txt", "mine")),
        Case(8, "evaluate --json a folder", ["evaluate", MLP, "--json", str(work)]),
        Case(8, "evaluate --json under a file", ["evaluate", MLP, "--json",
                                                 str(work / "file" / "x.json")], check=kept),
        Case(8, "export --dir a file", ["pretrained", "export", MLP, "x", "--dir",
                                        str(work / "file")], check=kept),
        Case(8, "export --dir under a file", ["pretrained", "export", MLP, "x", "--dir",
                                              str(work / "file" / "sub")], check=kept),
    ]


def other_cases(work: Path) -> list[Case]:
    bad_records(work / "records")
    encrypted_npz(work / "locked.npz")
    thesis = work / "make" / "synthetic-flowers" / "mine" / "thesis.txt"
    thesis.parent.mkdir(parents=True)
    thesis.write_text("four years")
    run = work / "run"
    tiny = ["train", "--preset", "mlp-mnist", "--limit", "128", "--max-steps", "2",
            "--no-progress", "--out", str(run)]
    return [
        Case(10, "pretrained list --dir with 2 malformed records",
             ["pretrained", "list", "--dir", str(work / "records")], exit_code=0,
             one_line=False),
        Case(11, "npz with the zip encrypted flag", ["evaluate", "--samples",
                                                     str(work / "locked.npz"), "--dataset",
                                                     "mnist"]),
        Case(6, "data make over OUT/synthetic-flowers/mine/thesis.txt",
             ["data", "make", "synthetic-flowers", "--out", str(work / "make")],
             check=text_kept(thesis, "four years")),
        Case(9, "train --resume auto while another process writes the run",
             [*tiny, "--resume", "auto"], setup=holder(run)),
        Case(9, "train --force while another process writes the run",
             [*tiny, "--force"], setup=holder(run)),
    ]


def all_cases(work: Path) -> list[Case]:
    return [*mat_cases(work), *synthetic_cases(work), *number_cases(work),
            *output_cases(work), *other_cases(work)]
