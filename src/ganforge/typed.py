"""Build typed dataclasses from untrusted dicts (TOML files, command-line strings).

Every problem becomes a ConfigError of one line that names the key and where it came from.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Literal, get_args, get_origin

from ganforge.errors import ConfigError
from ganforge.schema import shown


def field_types(cls: type) -> dict[str, Any]:
    """The resolved type of each field of dataclass `cls`."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def split_optional(tp: Any) -> tuple[bool, Any]:
    if get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(get_args(tp)) == 2:
            return True, args[0]
    return False, tp


def coerce(value: Any, tp: Any, where: str) -> Any:
    """Check `value` against type `tp` and return it (ints are accepted where floats are)."""
    optional, inner = split_optional(tp)
    if value is None:
        if optional:
            return None
        raise ConfigError(f"{where}: a value is required")
    tp = inner
    origin = get_origin(tp)
    if origin is Literal:
        choices = get_args(tp)
        if value not in choices:
            known = ", ".join(map(repr, choices))
            raise ConfigError(f"{where}: {shown(value)} is not one of {known}")
        return value
    if origin is list:
        (item_tp,) = get_args(tp)
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected a list, got {shown(value)}")
        return [coerce(v, item_tp, f"{where}[{i}]") for i, v in enumerate(value)]
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {shown(value)}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {shown(value)}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {shown(value)}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {shown(value)}")
        return value
    raise TypeError(f"unsupported config type {tp!r}")  # a bug in ganforge, not user input


def parse_text(text: str, tp: Any, where: str) -> Any:
    """Parse a command-line string into a value of type `tp`."""
    optional, inner = split_optional(tp)
    if optional and text.lower() in ("none", ""):
        if not text and inner is str:  # a folder "" would be the current one
            raise ConfigError(f"{where}: must not be empty (write none for no value, . for "
                              "the current folder)")
        return None
    origin = get_origin(inner)
    try:
        if origin is list:
            (item_tp,) = get_args(inner)
            return [parse_text(p, item_tp, where) for p in _items(text, where)]
        if inner is bool:
            lowered = text.lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(text)
            return lowered in ("true", "1", "yes")
        if inner is int:
            return int(text)
        if inner is float:
            return float(text)
    except ValueError:
        raise ConfigError(
            f"{where}: cannot read {shown(text)} as {getattr(inner, '__name__', inner)}"
        ) from None
    return coerce(text, inner, where)


def _items(text: str, where: str) -> list[str]:
    """The comma-separated entries of a list option ("" is the empty list); an empty entry
    ("1,,2", "1,2,") is refused, not passed over."""
    text = text.replace(" ", "")
    if not text:
        return []
    parts = text.split(",")
    if "" in parts:
        raise ConfigError(f"{where}: an empty entry in {shown(text)} (write the entries "
                          "joined by single commas, e.g. 256,512)")
    return parts


def from_dict(cls: type, data: dict[str, Any], where: str) -> Any:
    """Instantiate dataclass `cls` from `data`, refusing unknown keys and wrong types."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a table of settings, got {shown(data)}")
    types_ = field_types(cls)
    unknown = sorted(set(data) - set(types_))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {shown(unknown[0])} (known: {', '.join(types_)})"
        )
    values = {k: coerce(v, types_[k], f"{where}: {k}") for k, v in data.items()}
    try:
        return cls(**values)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
