"""`ganforge compare`: several runs side by side in DIR/compare.html and DIR/compare.gif."""

from __future__ import annotations

import argparse

from ganforge.cli import examples
from ganforge.cli.paths import PATH


def add_parser(sub) -> None:
    p = sub.add_parser("compare", help="compare runs side by side (HTML page and GIF)",
                       description="Show several runs' samples epoch by epoch side by side, "
                       "their curves on shared axes and their final figures.",
                       **examples("ganforge compare runs/mlp runs/dcgan --out cmp/"))
    p.add_argument("runs", nargs="+", type=PATH, metavar="RUN",
                   help="run folders (two or more)")
    p.add_argument("--out", type=PATH, required=True,
                   help="output folder for compare.html and compare.gif")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ganforge.report.compare import write_compare

    print(f"comparison: {write_compare(args.runs, args.out)}")
    return 0
