"""The `ganforge` command line. Each subcommand lives in its own module with
`add_parser(subparsers)` and `run(args) -> int`; every GanforgeError becomes one line and
exit code 2."""

from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Sequence

from ganforge.errors import GanforgeError

COMMANDS = ("train", "sample", "generate", "data", "serve", "report", "compare", "evaluate",
            "evaluator", "pretrained")


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (what and where) and exit code 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = OneLineParser(prog="ganforge", description="Train, evaluate and use GANs.")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for name in COMMANDS:
        importlib.import_module(f"ganforge.cli.{name.replace('-', '_')}").add_parser(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"ganforge {version('ganforge')}"
    except PackageNotFoundError:
        return "ganforge (not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except GanforgeError as exc:
        print(f"ganforge: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
        print(f"ganforge: error: {_name_too_long(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ganforge: interrupted", file=sys.stderr)
        return 130


def _name_too_long(exc: OSError) -> str:
    """One line for a path the system refuses as too long (a name part over 255 bytes)."""
    name = str(exc.filename or "")
    longest = max(name.split("/"), key=len, default="")
    shown = name if len(name) <= 80 else f"{name[:60]}...{name[-16:]}"
    return (f"{shown}: file name too long (a part of {len(longest.encode(errors='replace'))} "
            "bytes; the system allows 255 per name)")


def entry() -> None:
    sys.exit(main())
