"""`ganforge report`: write a run's self-contained report.html."""

from __future__ import annotations

import argparse

from ganforge.cli import examples
from ganforge.cli.paths import PATH


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="write a run's report.html (settings, curves, samples)",
                       description="Write one self-contained HTML page about a run: settings, "
                       "losses, evaluation metrics, progress GIF and sample grids.",
                       **examples("ganforge report runs/dcgan   # runs/dcgan/report.html"))
    p.add_argument("run", type=PATH, help="run folder")
    p.add_argument("--out", type=PATH, help="output file (default RUN/report.html)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ganforge.report.run_report import write_report

    print(f"report: {write_report(args.run, args.out)}")
    return 0
