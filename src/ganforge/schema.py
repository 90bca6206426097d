"""One declaration per setting: its short description, default and valid range.

A settings section is a dataclass whose fields are declared with `setting(...)`; the help of
`ganforge train` and the checks made when a section is constructed both read these
declarations, so what the help promises is what construction enforces:

    lr_g: float = setting(2e-4, "G's Adam learning rate", gt=0, le=1)

Every number must be finite and inside its bounds, every list no longer than `max_len` (each
item inside the bounds), every string not empty and no longer than `max_len` (MAX_TEXT when not
given).
"""

from __future__ import annotations

import dataclasses
import math
import reprlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ganforge.errors import ConfigError

MAX_TEXT = 1024  # longest string setting (a data set name, a folder, a device)
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother = 2, 60, 60
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = 6


def shown(value: Any) -> str:
    """`value` as an error message may echo it: repr, cut to about 60 characters, and never
    recursing into deeply nested lists."""
    return _SHORT.repr(value)


@dataclass(frozen=True)
class Spec:
    """The description and the domain of one setting (a field's metadata["spec"])."""

    help: str
    ge: float | None = None  # value >= ge
    gt: float | None = None  # value > gt
    le: float | None = None  # value <= le
    lt: float | None = None  # value < lt
    max_len: int | None = None  # most items of a list, most characters of a string

    def bounds_text(self) -> str:
        """The range in words: "at least 1", "more than 0", "in [0, 1)", "0 or more"."""
        low = self.ge if self.ge is not None else self.gt
        high = self.le if self.le is not None else self.lt
        if low is not None and high is not None:
            return (f"in {'[' if self.ge is not None else '('}{_num(low)}, {_num(high)}"
                    f"{']' if self.le is not None else ')'}")
        if self.ge == 0:
            return "0 or more"
        if low is not None:
            return f"{'at least' if self.ge is not None else 'more than'} {_num(low)}"
        if high is not None:
            return f"{'at most' if self.le is not None else 'less than'} {_num(high)}"
        return ""

    def check_number(self, name: str, value: float) -> None:
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{name} must be a finite number, got {value}")
        broken = self._broken(value)
        if broken is not None:
            raise ConfigError(f"{name} must be {broken}, got {shown(value)}")

    def _broken(self, value: float) -> str | None:
        """The bound `value` breaks, in words ("at least 1"), or None."""
        if self.ge is not None and value < self.ge:
            return "0 or more" if self.ge == 0 else f"at least {_num(self.ge)}"
        if self.gt is not None and value <= self.gt:
            return f"more than {_num(self.gt)}"
        if self.le is not None and value > self.le:
            return f"at most {_num(self.le)}"
        if self.lt is not None and value >= self.lt:
            return f"less than {_num(self.lt)}"
        return None

    def check(self, name: str, value: Any) -> None:
        """Raise a one-line ConfigError when `value` is outside this setting's domain."""
        if value is None or isinstance(value, bool):
            return
        if isinstance(value, str):
            if not value:  # a data set or folder "" would be the current folder
                raise ConfigError(f"{name} must not be empty")
            limit = self.max_len or MAX_TEXT
            if len(value) > limit:
                raise ConfigError(f"{name} is {len(value)} characters long (at most {limit}): "
                                  f"{shown(value)}")
        elif isinstance(value, list):
            if self.max_len is not None and len(value) > self.max_len:
                raise ConfigError(f"{name} has {len(value)} entries (at most {self.max_len})")
            for i, item in enumerate(value):
                self.check(f"{name}[{i}]", item)
        elif isinstance(value, (int, float)):
            self.check_number(name, value)


def _num(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def setting(default: Any = dataclasses.MISSING, help: str = "", *,
            factory: Callable[[], Any] | None = None, **bounds: Any) -> Any:
    """A dataclass field with its description and domain (see Spec for `bounds`)."""
    meta = {"spec": Spec(help, **bounds)}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def spec_of(field: dataclasses.Field) -> Spec:
    return field.metadata.get("spec") or Spec("")


class Settings:
    """Base of the settings sections: construction checks every field against its Spec,
    then runs the section's own cross-field `check()`."""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            spec_of(f).check(f.name, getattr(self, f.name))
        self.check()

    def check(self) -> None:
        """Checks that involve several fields (none by default)."""
