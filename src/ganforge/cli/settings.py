"""The `--name VALUE` options of `ganforge train`, one argument group per settings section,
each option's help read from the setting's declaration (ganforge.schema): description,
default, choices and range. What the help says is what construction enforces."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal, get_args, get_origin

from ganforge.config import SECTIONS, model_config_classes
from ganforge.model_configs import about
from ganforge.schema import Spec, spec_of
from ganforge.typed import field_types, split_optional

# Model fields the data set (and its text encoder) fill in: not options.
FILLED_IN = ("channels", "image_size", "num_classes", "text_dim")
ORDER = ("data", "model", "loss", "optim", "train")


def _inner(tp: Any) -> Any:
    return split_optional(tp)[1]


def single_choices(tp: Any) -> list[str]:
    """A choice's values, each once: a value that joins others with commas (augment's
    "translation,cutout") is not listed again, the help says such values combine."""
    values = [str(v) for v in get_args(_inner(tp))]
    return [v for v in values if "," not in v or not set(v.split(",")) <= set(values)]


def combined_choices(tp: Any) -> list[str]:
    """The values of a choice that join others with commas."""
    single = single_choices(tp)
    return [str(v) for v in get_args(_inner(tp)) if str(v) not in single]


def metavar(tp: Any) -> str:
    """N, X, BOOL, N,N,..., TEXT, or {a,b} for a choice."""
    tp = _inner(tp)
    if get_origin(tp) is Literal:
        return "{" + ",".join(single_choices(tp)) + "}"
    if get_origin(tp) is list:
        return "N,N,..."
    return {int: "N", float: "X", bool: "BOOL"}.get(tp, "TEXT")


def show_default(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ",".join(map(str, value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def _default(f: dataclasses.Field) -> Any:
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


def _range(spec: Spec, tp: Any) -> str:
    text = spec.bounds_text()
    if get_origin(_inner(tp)) is list:
        return f"entries {text}, at most {spec.max_len}" if text else ""
    return text


def help_text(spec: Spec, tp: Any, defaults: dict[str, Any]) -> str:
    """description (default X; range); `defaults` maps architecture (or "") to the default."""
    values = {show_default(v) for v in defaults.values()}
    if len(values) == 1:
        default = f"default {values.pop()}"
    else:
        default = "default " + ", ".join(f"{a}: {show_default(v)}" for a, v in defaults.items())
    combined = combined_choices(tp) if get_origin(_inner(tp)) is Literal else []
    parts = [default, _range(spec, tp)]
    if combined:
        parts.append("several at once joined by commas: " + ", ".join(combined))
    if len(defaults) < len(model_config_classes()) and "" not in defaults:
        parts.append("arch " + ", ".join(defaults))
    return f"{spec.help} ({'; '.join(p for p in parts if p)})".replace("%", "%%")


def model_options() -> dict[str, tuple[Spec, Any, dict[str, Any]]]:
    """Every model setting of every architecture: name -> (spec, type, {arch: default})."""
    classes = model_config_classes()
    arch_type = Literal[tuple(classes)]  # type: ignore[valid-type]
    networks = "; ".join(f"{arch} = {about(arch)}" for arch in classes)
    options = {"arch": (Spec(f"the networks: {networks}"), arch_type, {"": "dcgan28"})}
    for arch, cls in classes.items():
        types = field_types(cls)
        for f in dataclasses.fields(cls):
            if f.name in FILLED_IN or f.name == "arch":
                continue
            spec, tp, defaults = options.setdefault(f.name, (spec_of(f), types[f.name], {}))
            defaults[arch] = _default(f)
    return options


def section_options(section: str) -> dict[str, tuple[Spec, Any, dict[str, Any]]]:
    if section == "model":
        return model_options()
    cls = SECTIONS[section]
    types = field_types(cls)
    return {f.name: (spec_of(f), types[f.name], {"": _default(f)})
            for f in dataclasses.fields(cls)}


def add_setting_options(parser) -> None:
    """One group per section; each option stores its text in `set_<name>` for the config."""
    for section in ORDER:
        group = parser.add_argument_group(
            f"[{section}] settings", "override the preset and the --config file; the defaults "
                                     "are those without a preset" if section == "data" else None)
        for name, (spec, tp, defaults) in section_options(section).items():
            group.add_argument(f"--{name.replace('_', '-')}", dest=f"set_{name}",
                               metavar=metavar(tp), help=help_text(spec, tp, defaults))
