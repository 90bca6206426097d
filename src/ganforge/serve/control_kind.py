"""One kind of controls of the page of `ganforge serve` (ganforge.serve.controls)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Controls:
    """One kind of controls: CSS rules, HTML sections and the script that drives them."""

    style: str
    body: str
    script: str
