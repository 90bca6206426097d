"""Typed run settings: defaults < preset < --config file < command-line options.

A run's settings live in five sections ([data], [model], [loss], [optim], [train]); every
setting name is unique across sections, so `--d-steps 3` needs no section prefix.
"""

from __future__ import annotations

import dataclasses
import errno
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import tomllib

from ganforge.errors import ConfigError
from ganforge.model_configs import MODEL_CONFIGS
from ganforge.schema import shown
from ganforge.sections import DataConfig, LossConfig, OptimConfig, TrainConfig
from ganforge.typed import coerce, field_types, from_dict, parse_text

__all__ = ["DataConfig", "LossConfig", "OptimConfig", "RunConfig", "TrainConfig",
           "resolve_config", "resume_config"]

SECTIONS: dict[str, type] = {
    "data": DataConfig, "loss": LossConfig, "optim": OptimConfig, "train": TrainConfig,
}


def model_config_classes() -> dict[str, type]:
    """Architecture name -> model config dataclass."""
    return MODEL_CONFIGS


@dataclass
class RunConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: Any = None  # the chosen architecture's config dataclass
    loss: LossConfig = field(default_factory=LossConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    preset: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (None values dropped, as TOML has no null)."""
        return _drop_none(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str) -> RunConfig:
        unknown = sorted(set(data) - {"model", "preset", *SECTIONS})
        if unknown:
            raise ConfigError(f"{where}: unknown section {shown(unknown[0])}")
        sections = {
            n: from_dict(c, data.get(n, {}), f"{where} [{n}]") for n, c in SECTIONS.items()
        }
        model = _model_from_dict(data.get("model", {}), f"{where} [model]")
        preset = coerce(data.get("preset"), str | None, f"{where}: preset")
        batch, multiple = sections["train"].batch_size, model.batch_multiple()
        if batch % multiple:  # e.g. PacGAN's packs must tile every batch
            raise ConfigError(f"{where}: batch_size {batch} is not a multiple of pack {multiple}")
        least, why = model.min_batch()
        if batch < least:
            raise ConfigError(f"{where}: batch_size {batch}: arch {model.arch} needs at least "
                              f"{least} ({why})")
        return cls(model=model, preset=preset, **sections)


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    return value


def _model_from_dict(data: dict[str, Any], where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a table of settings")
    arch = data.get("arch", "dcgan28")
    classes = model_config_classes()
    if not isinstance(arch, str) or arch not in classes:
        raise ConfigError(f"{where}: unknown arch {shown(arch)} (known: {', '.join(classes)})")
    return from_dict(classes[arch], data, f"{where} (arch {arch})")


def option_types(arch: str) -> dict[str, tuple[str, Any]]:
    """Every setting a user may override: name -> (section, type), for architecture `arch`."""
    options = {name: (section, tp) for section, cls in SECTIONS.items()
               for name, tp in field_types(cls).items()}
    model_types = field_types(model_config_classes()[arch])
    # image_size and channels name the data's preparation (a model's are filled in from it)
    options.update({n: ("model", tp) for n, tp in model_types.items() if n not in options})
    return options


def all_option_names() -> list[str]:
    """Names of every overridable setting of every architecture (for the CLI)."""
    names = {n for cls in SECTIONS.values() for n in field_types(cls)}
    for cls in model_config_classes().values():
        names.update(field_types(cls))
    return sorted(names)


def list_presets() -> list[str]:
    folder = resources.files("ganforge") / "presets"
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def read_toml(path: Path | str, where: str | None = None) -> dict[str, Any]:
    """The settings of a TOML file, or a one-line ConfigError naming `where` (the path)."""
    where = where or str(path)
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{where}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{where}: a folder, not a TOML file{_inside(Path(path))}") from None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise  # the command line's own one line (cli.main)
        raise ConfigError(f"{where}: cannot be read ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc})") from None
    except RecursionError:
        raise ConfigError(f"{where}: arrays or tables nested too deep") from None


def _inside(folder: Path) -> str:
    """A run folder's settings file, as a hint after "a folder, not a TOML file"."""
    settings = folder / "config.toml"
    return f" (its settings file: {settings})" if settings.is_file() else ""


def load_preset_dict(name: str) -> dict[str, Any]:
    presets = list_presets()
    if name not in presets:
        raise ConfigError(f"unknown preset {shown(name)} (known: {', '.join(presets)})")
    path = resources.files("ganforge") / "presets" / f"{name}.toml"
    data = tomllib.loads(path.read_text())
    data["preset"] = name
    return data


def _merge(base: dict[str, Any], layer: dict[str, Any]) -> dict[str, Any]:
    merged = {k: dict(v) if isinstance(v, dict) else v for k, v in base.items()}
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            if key == "model" and value.get("arch", merged[key].get("arch")) != merged[key].get(
                "arch"
            ):
                merged[key] = dict(value)  # another architecture: drop the old one's sizes
            else:
                merged[key].update(value)
        else:
            merged[key] = value
    return merged


def overrides_to_layer(overrides: dict[str, str], arch: str, where: str) -> dict[str, Any]:
    """Command-line strings {"d_steps": "3"} -> a settings layer {"train": {"d_steps": 3}}."""
    arch = overrides.get("arch", arch)
    if arch not in model_config_classes():
        raise ConfigError(f"{where}: unknown arch {shown(arch)}")
    options = option_types(arch)
    layer: dict[str, Any] = {}
    for name, text in overrides.items():
        flag = "--" + name.replace("_", "-")
        if name not in options:
            raise ConfigError(f"{where}: {flag} does not apply to arch {arch}")
        section, tp = options[name]
        layer.setdefault(section, {})[name] = parse_text(text, tp, f"{where}: {flag}")
    return layer


def resolve_config(
    preset: str | None = None,
    config_file: Path | str | None = None,
    overrides: dict[str, str] | None = None,
) -> RunConfig:
    """Merge the layers and validate the result; every error names its source."""
    file_layer = read_toml(config_file) if config_file else {}
    preset = preset or file_layer.get("preset")
    merged = load_preset_dict(preset) if preset else {}
    if config_file:
        merged = _merge(merged, file_layer)
        RunConfig.from_dict(merged, str(config_file))  # what fails here is the file's doing
    if preset:
        merged["preset"] = preset
    arch = merged.get("model", {}).get("arch", "dcgan28")
    merged = _merge(merged, overrides_to_layer(overrides or {}, arch, "command line"))
    return RunConfig.from_dict(merged, "command line" if overrides else "settings")


# Settings a resumed run may change: they extend or observe the run, not its math.
RESUMABLE = ("epochs", "max_steps", "max_minutes", "log_every", "sample_every",
             "checkpoint_every", "keep", "on_nan", "eval_every", "eval_samples",
             "dataset", "data_dir")  # the data set given anew: a folder that moved


def with_overrides(config: RunConfig, overrides: dict[str, str],
                   where: str = "command line") -> RunConfig:
    """`config` with command-line style `overrides` ({"eval_every": "0"}) laid over it."""
    return _laid_over(config, overrides_to_layer(overrides, config.model.arch, where), where)


def _laid_over(config: RunConfig, layer: dict[str, Any], where: str) -> RunConfig:
    return RunConfig.from_dict(_merge(config.to_dict(), layer), where)


def resume_config(meta: dict[str, Any], folder_config: RunConfig, overrides: dict[str, str],
                  where: str) -> RunConfig:
    """The config to continue with: the checkpoint's, plus overrides that keep the math."""
    try:
        saved = RunConfig.from_dict(meta["config"], f"{where} config")
    except (ConfigError, KeyError) as exc:
        raise ConfigError(f"{where}: checkpoint config not usable ({exc})") from None
    if saved.model != folder_config.model:
        a, b = dataclasses.asdict(saved.model), dataclasses.asdict(folder_config.model)
        diff = "; ".join(f"{k}: {a.get(k)!r} vs {b.get(k)!r}" for k in sorted({*a, *b})
                         if a.get(k) != b.get(k))
        raise ConfigError(f"{where}: checkpoint is from another model than the run folder ({diff})")
    layer = overrides_to_layer(overrides, saved.model.arch, "command line")
    resumed = _laid_over(saved, layer, "command line")
    before, after = saved.to_dict(), resumed.to_dict()
    refused = sorted(name for section, values in layer.items() for name in values  # a value
                     if name not in RESUMABLE  # equal to the run's own is no change
                     and before.get(section, {}).get(name) != after.get(section, {}).get(name))
    if refused:
        flag = "--" + refused[0].replace("_", "-")
        raise ConfigError(f"{flag} cannot change when resuming (only: {', '.join(RESUMABLE)})")
    return resumed
