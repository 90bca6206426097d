"""Run reports and run comparisons as self-contained HTML pages.

    write_report(run)                 -> RUN/report.html
    write_compare([run_a, run_b], out) -> OUT/compare.html and OUT/compare.gif

Importing this package is cheap: matplotlib and Pillow are imported when a page is drawn.
"""

from __future__ import annotations

from ganforge.lazy import lazy_getattr

_EXPORTS = {
    "write_report": "ganforge.report.run_report",
    "build_report": "ganforge.report.run_report",
    "write_compare": "ganforge.report.compare",
    "load_run": "ganforge.report.run_data",
    "RunData": "ganforge.report.run_data",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_getattr(__name__, _EXPORTS)
