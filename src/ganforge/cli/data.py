"""`ganforge data list|check|prepare|download|make`: where the data sets are, whether they are
intact, preparing a folder of images, and making the sets ganforge draws itself.

Each handler imports what it runs (CLI start-up time: every command module is imported to
build the parser)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ganforge.cli import examples, refuse
from ganforge.cli.numbers import Real, Whole
from ganforge.cli.paths import PATH


def add_parser(sub) -> None:
    p = sub.add_parser("data", help="find, check and download data sets",
                       description="Where each data set was found, whether its files are "
                                   "intact, downloading one, and making the ones "
                                   "ganforge draws itself.",
                       **examples("ganforge data list", "ganforge data check mnist"))
    actions = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    listing = actions.add_parser("list", help="each known data set and where it was found",
                                 **examples("ganforge data list --data-dir /data"))
    listing.add_argument("--data-dir", type=PATH, help="look here first")
    listing.set_defaults(handler=run_list)
    check = actions.add_parser("check", help="verify a data set's files (shapes, SHA-256), or "
                                             "what a folder of images holds",
                               **examples("ganforge data check fashion-mnist",
                                          "ganforge data check ~/photos --image-size 64"))
    check.add_argument("name", type=PATH,
                       help="a known data set, or a folder or .zip/.tar of images")
    check.add_argument("--data-dir", type=PATH, help="look here first")
    add_folder_options(check)
    check.set_defaults(handler=run_check)
    prep = actions.add_parser("prepare", help="prepare a folder of images once (cached)",
                              **examples("ganforge data prepare ~/photos --image-size 64"))
    prep.add_argument("name", type=PATH, metavar="PATH",
                      help="a folder or .zip/.tar(.gz) of images")
    add_folder_options(prep)
    prep.set_defaults(handler=run_check)
    download = actions.add_parser("download", help="download a data set into the user cache",
                                  **examples("ganforge data download mnist"))
    download.add_argument("name")
    download.add_argument("--captions", type=PATH, metavar="ARCHIVE",
                          help="flowers102: unpack the text_c10/ captions of this archive (tar.gz "
                               "or zip of the 2016 caption release) into the data set's folder")
    download.set_defaults(handler=run_download)
    make = actions.add_parser("make", help="make a data set ganforge draws or renders "
                                           "(synthetic-flowers, emoji)",
                              **examples("ganforge data make synthetic-flowers --out /data",
                                         "ganforge data make emoji"))
    make.add_argument("name")
    make.add_argument("--out", type=PATH,
                      help="write it into OUT/NAME (default: the user cache); then "
                           "synthetic-flowers is found with `--data-dir OUT`, emoji with "
                           "`--dataset OUT/emoji`")
    make.add_argument("--force", action="store_true",
                      help="replace OUT/NAME even when it holds files ganforge did not make")
    make.set_defaults(handler=run_make)


class ImageSize:
    """An argparse type: a folder's image size, one some architecture trains at
    (model_configs.buildable_image_sizes: 8..128 or 256)."""

    def __init__(self) -> None:
        from ganforge.model_configs import buildable_image_sizes

        self.sizes = buildable_image_sizes()
        self.range = _runs(sorted(self.sizes))
        self._number = Whole(-(10**41), 10**41, self.range)  # a whole number, of 40 digits at most
        self.__name__ = "whole number"

    def __call__(self, text: str) -> int:
        value = self._number(text)
        if value not in self.sizes:
            raise argparse.ArgumentTypeError(f"must be {self.range} (the sizes ganforge's "
                                             f"architectures build), got {value}")
        return value


def _runs(sizes: list[int]) -> str:
    """Sorted sizes in words: runs of consecutive ones as "lo..hi" ("8..128 or 256")."""
    runs: list[list[int]] = []
    for s in sizes:
        if runs and s == runs[-1][1] + 1:
            runs[-1][1] = s
        else:
            runs.append([s, s])
    words = [f"{lo}..{hi}" if hi > lo else f"{lo}" for lo, hi in runs]
    return " or ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


def add_folder_options(p) -> None:
    """The preparation settings of a folder (the [data] settings of `ganforge train`)."""
    size = ImageSize()
    p.add_argument("--image-size", type=size, default=None, metavar="N",
                   help=f"resize to N x N ({size.range}, the sizes an architecture trains "
                        "at; default 64); a folder's only: a built-in set has its own size")
    p.add_argument("--fit", choices=("crop", "pad"), default="crop",
                   help="square by centre crop (default) or by padding with white")
    p.add_argument("--channels", type=int, choices=(1, 3), default=None,
                   help="1 (grey) or 3 (RGB); default: grey when every image is")
    p.add_argument("--test-fraction", type=Real(0.0, 0.5), default=0.1, metavar="X",
                   help="share held out as the test split, fixed by the file names (0..0.5; "
                        "default 0.1)")


def folder_options(args: argparse.Namespace):
    """The data.folder.prepare.PrepareOptions of the options add_folder_options added."""
    from ganforge.data.folder.prepare import PrepareOptions

    size = PrepareOptions().image_size if args.image_size is None else args.image_size
    return PrepareOptions(image_size=size, fit=args.fit, channels=args.channels,
                          test_fraction=args.test_fraction)


def refuse_size_of_built_in(args: argparse.Namespace, name: str) -> None:
    """--image-size with a built-in data set (whose images have their own size, which the
    option would not change) is one usage line."""
    from ganforge.data.registry import known

    entry = known(name)
    if args.image_size is None or entry is None or entry.path is not None:
        return
    size = "x".join(str(s) for s in entry.image_shape[-2:])
    args.command_parser.error(f"--image-size {args.image_size}: {entry.name} is a built-in "
                              f"data set of {size} images; --image-size sizes a folder of "
                              "images")


def run_list(args: argparse.Namespace) -> int:
    from ganforge.data import list_datasets
    from ganforge.data.folder.prepare import prepared_folders
    from ganforge.data.locate import refuse_unusable_data_dir

    if args.data_dir is not None:  # as train refuses it: never a silent list without it
        refuse_unusable_data_dir(args.data_dir)
    rows = list_datasets(args.data_dir)
    width = max(len("name"), *(len(str(row["name"])) for row in rows))
    print(f"{'name':<{width}} {'train':>7} {'test':>7}  {'image':<9} location")
    for row in rows:
        shape = "x".join(str(s) for s in row["image_shape"])
        print(f"{row['name']:<{width}} {row['train']:>7} {row['test']:>7}  {shape:<9} "
              f"{row['location']}")
    folders = prepared_folders()
    if folders:
        print("\nprepared folders (use the path as --dataset):")
        for m in folders:
            print(prepared_line(m))
    return 0


def prepared_line(m: dict) -> str:
    """A prepared folder's line of `data list`. An entry split by the rule before every
    class was given a training image is prepared again on next use: its line gives the
    counts it will then have (the same files split by today's rule), and says so."""
    from ganforge.data.folder.split import counts_by_class, untrained_classes

    size, classes, counts = m["options"]["image_size"], len(m["classes"]), m["counts"]
    older = untrained_classes(m["items"]) is True
    if older:
        counts = counts_by_class(m["items"], m["options"]["test_fraction"]) or counts
    return (f"  {m['source']}  {counts['train']} train, {counts['test']} test, "
            f"{m['channels']}x{size}x{size}, {classes or 'no'} classes, "
            f"{'captions' if m['captioned'] else 'no captions'}"
            f"{'' if Path(m['source']).exists() else ' (the folder is gone)'}"
            f"{' (split by an earlier ganforge: prepared again on next use)' if older else ''}")


def run_folder(args: argparse.Namespace) -> int:
    from ganforge.data.folder.load import summary
    from ganforge.data.folder.prepare import prepare

    for line in summary(prepare(args.name, folder_options(args))):
        print(line)
    return 0


def run_check(args: argparse.Namespace) -> int:
    from ganforge.data import check
    from ganforge.data.registry import lookup
    from ganforge.errors import DataError

    refuse_size_of_built_in(args, args.name)
    if lookup(args.name).path is not None:
        return run_folder(args)
    if args.action == "prepare":
        raise DataError(f"{args.name!r} is a built-in data set: it needs no preparing "
                        "(`ganforge data check` checks its files)")

    reports = check(args.name, args.data_dir)
    for r in reports:
        status = "ok" if r["ok"] else f"FAILED ({r['error'] or 'checksum or shape mismatch'})"
        shape = "x".join(str(s) for s in r["shape"]) if r["shape"] else "?"
        sha = {True: "ok", False: "bad", None: "-"}[r["sha256_ok"]]
        print(f"{r['role']:<13} {shape:<12} sha256 {sha:<3}  "
              f"{r['path']}  {status}")
    bad = [r for r in reports if not r["ok"]]
    if bad:
        refuse(f"{args.name}: {len(bad)} file(s) failed the check: "
               f"{bad[0]['error'] or bad[0]['path']}")
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
    from ganforge.data.registry import makers, normalise, resolve
    from ganforge.errors import DataError

    table = makers()
    maker = table.get(normalise(args.name))
    if maker is None:
        raise DataError(f"data set {args.name!r} is not made by ganforge (it makes: "
                        f"{', '.join(table)})")
    resolve(maker)(args.out, log=print, force=args.force)
    return 0
