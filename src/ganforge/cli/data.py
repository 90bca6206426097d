"""`ganforge data list|check|download|make`: where the data sets are, whether they are intact,
and making the ones ganforge draws itself.

Each handler imports what it runs (CLI start-up time: every command module is imported to
build the parser)."""

from __future__ import annotations

import argparse
import sys

from ganforge.cli import examples


def add_parser(sub) -> None:
    p = sub.add_parser("data", help="find, check and download data sets",
                       description="Where each data set was found, whether its files are "
                                   "intact, downloading one, and making the ones "
                                   "ganforge draws itself.",
                       **examples("ganforge data list", "ganforge data check mnist"))
    actions = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    listing = actions.add_parser("list", help="each known data set and where it was found",
                                 **examples("ganforge data list --data-dir /data"))
    listing.add_argument("--data-dir", help="look here first")
    listing.set_defaults(handler=run_list)
    check = actions.add_parser("check", help="verify a data set's files (shapes, SHA-256)",
                               **examples("ganforge data check fashion-mnist"))
    check.add_argument("name")
    check.add_argument("--data-dir", help="look here first")
    check.set_defaults(handler=run_check)
    download = actions.add_parser("download", help="download a data set into the user cache",
                                  **examples("ganforge data download mnist"))
    download.add_argument("name")
    download.add_argument("--captions", metavar="ARCHIVE",
                          help="flowers102: unpack the text_c10/ captions of this archive (tar.gz "
                               "or zip of the 2016 caption release) into the data set's folder")
    download.set_defaults(handler=run_download)
    make = actions.add_parser("make", help="make a data set ganforge draws (synthetic-flowers)",
                              **examples("ganforge data make synthetic-flowers --out /data"))
    make.add_argument("name")
    make.add_argument("--out", help="write it into OUT/NAME (default: the user cache); "
                                    "`--data-dir OUT` then finds it")
    make.set_defaults(handler=run_make)


def run_list(args: argparse.Namespace) -> int:
    from ganforge.data import list_datasets

    rows = list_datasets(args.data_dir)
    width = max(len("name"), *(len(str(row["name"])) for row in rows))
    print(f"{'name':<{width}} {'train':>7} {'test':>7}  {'image':<9} location")
    for row in rows:
        shape = "x".join(str(s) for s in row["image_shape"])
        print(f"{row['name']:<{width}} {row['train']:>7} {row['test']:>7}  {shape:<9} "
              f"{row['location']}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from ganforge.data import check

    reports = check(args.name, args.data_dir)
    for r in reports:
        status = "ok" if r["ok"] else f"FAILED ({r['error'] or 'checksum or shape mismatch'})"
        shape = "x".join(str(s) for s in r["shape"]) if r["shape"] else "?"
        sha = {True: "ok", False: "bad", None: "-"}[r["sha256_ok"]]
        print(f"{r['role']:<13} {shape:<12} sha256 {sha:<3}  "
              f"{r['path']}  {status}")
    bad = [r for r in reports if not r["ok"]]
    if bad:
        print(f"ganforge: error: {args.name}: {len(bad)} file(s) failed the check: "
              f"{bad[0]['error'] or bad[0]['path']}", file=sys.stderr)
        return 2
    print(f"{args.name}: all {len(reports)} files ok")
    return 0


def run_download(args: argparse.Namespace) -> int:
    from ganforge.data.registry import data_sets, normalise, resolve, unknown
    from ganforge.errors import ConfigError

    sets = data_sets()
    entry = sets.get(normalise(args.name))
    takes = [k for k, v in sets.items() if v.download and v.captioned]  # --captions
    if args.captions is not None and (entry is None or entry.name not in takes):
        raise ConfigError(f"--captions is for {', '.join(takes)}, not {args.name!r}")
    if entry is None or entry.download is None:
        raise unknown(args.name)
    resolve(entry.download)(entry, args.captions, print)
    return 0


def run_make(args: argparse.Namespace) -> int:
    from ganforge.data.registry import data_sets, normalise, resolve
    from ganforge.errors import DataError

    sets = data_sets()
    entry = sets.get(normalise(args.name))
    if entry is None or entry.make is None:
        makes = ", ".join(k for k, v in sets.items() if v.make is not None)
        raise DataError(f"data set {args.name!r} is not made by ganforge (it makes: {makes})")
    resolve(entry.make)(args.out, log=print)
    return 0
