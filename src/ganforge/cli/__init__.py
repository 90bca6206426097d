"""The `ganforge` command line. Each subcommand lives in its own module with
`add_parser(subparsers)` and `run(args) -> int`; every GanforgeError becomes one line and
exit code 2. Under torchrun the writer (RANK 0) alone says such a line; the other processes
leave with exit code 2 in silence, except for a RankError, a problem of their own."""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import sys
from collections.abc import Iterator, Sequence

from ganforge.errors import GanforgeError, RankError
from ganforge.runtime.ranks import writer_process

COMMANDS = ("train", "sample", "generate", "data", "serve", "report", "compare", "evaluate",
            "evaluator", "pretrained")


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (what and where) and exit code 2, pointing to
    the help of the command it happened in."""

    def error(self, message: str):
        line = f"{self.prog}: error: {message[:300]} (see {self.prog} --help)\n"
        self.exit(2, line if writer_process() else None)

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        if not hasattr(namespace, "command_parser"):  # the innermost command's parser
            namespace.command_parser = self
        return namespace, extras


class ExampleFormatter(argparse.HelpFormatter):
    """Wraps descriptions as usual, keeps an epilog of example commands as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith("example"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def examples(*commands: str) -> dict:
    """Keyword arguments of add_parser: an epilog of example commands (each `cmd  # note`)."""
    word = "example" if len(commands) == 1 else "examples"
    return {"epilog": f"{word}:\n" + "\n".join(f"  {c}" for c in commands),
            "formatter_class": ExampleFormatter}


@contextlib.contextmanager
def progress_lines(logger: str) -> Iterator[None]:
    """While the block runs, the INFO messages of `logger` (a ganforge package's progress)
    go to stderr as plain, timed lines: `ganforge [12:03:04] features of 10000 images`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("ganforge [%(asctime)s] %(message)s", "%H:%M:%S"))
    log = logging.getLogger(logger)
    level = log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(level)


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = OneLineParser(prog="ganforge", description="Train, evaluate and use GANs.",
                           **examples("ganforge train --preset dcgan-mnist --epochs 5 "
                                      "--out runs/dcgan",
                                      "ganforge sample runs/dcgan -n 64 --out grid.png",
                                      "ganforge COMMAND --help   # what COMMAND does, "
                                      "its options"))
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
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        args.command_parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return int(args.handler(args) or 0)
    except GanforgeError as exc:
        refuse(str(exc), everywhere=isinstance(exc, RankError))
        return 2
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
        refuse(_name_too_long(exc))
        return 2
    except KeyboardInterrupt:
        print("ganforge: interrupted", file=sys.stderr)
        return 130


def refuse(line: str, everywhere: bool = False) -> None:
    """A refusal's one line on stderr, said by the writer process alone (under torchrun,
    RANK 0) unless `everywhere`; the caller exits with code 2."""
    if everywhere or writer_process():
        print(f"ganforge: error: {line}", file=sys.stderr)


def _name_too_long(exc: OSError) -> str:
    """One line for a path the system refuses as too long (a name part over 255 bytes)."""
    name = str(exc.filename or "")
    longest = max(name.split("/"), key=len, default="")
    shown = name if len(name) <= 80 else f"{name[:60]}...{name[-16:]}"
    return (f"{shown}: file name too long (a part of {len(longest.encode(errors='replace'))} "
            "bytes; the system allows 255 per name)")


def entry() -> None:
    from ganforge.runtime.wait_policy import choose_spin

    choose_spin()  # before torch loads its OpenMP runtime (runtime/wait_policy.py)
    sys.exit(main())
