"""Typed run settings: defaults < preset < --config file < command-line options.

A run's settings live in five sections ([data], [model], [loss], [optim], [train]); every
setting name is unique across sections, so `--d-steps 3` needs no section prefix.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import tomllib

from ganforge.errors import ConfigError
from ganforge.typed import coerce, field_types, from_dict, parse_text

MODEL_CONFIGS: dict[str, type] = {}  # filled lazily by model_config_classes()


@dataclass
class DataConfig:
    dataset: str = "mnist"
    data_dir: str | None = None
    limit: int | None = None  # use only the first N training images (quick trials)


@dataclass
class LossConfig:
    """The loss and the stabilisers of training (see docs/losses.md)."""

    loss: str = "non-saturating"
    label_smoothing: float = 1.0  # target for real images; 0.9 = one-sided smoothing
    gp_weight: float | None = None  # gradient penalty weight; None = the loss's own (0 = off)
    clip: float | None = None  # clamp D's weights to [-clip, clip]; None = the loss's own
    r1_weight: float = 0.0  # R1 penalty on real images (0 = off)
    spectral_norm: bool = False  # spectral normalisation of D's linear/conv layers
    instance_noise: float = 0.0  # std of noise on D's inputs, annealed to 0 (0 = off)
    ema: float = 0.0  # decay of an EMA of G's weights used for samples (0 = off; e.g. 0.999)
    # differentiable augmentation of every image D sees, real and fake alike (docs/losses.md)
    augment: Literal["none", "translation", "cutout", "translation,cutout"] = "none"

    def __post_init__(self):
        from ganforge.losses import get_loss

        get_loss(self.loss)
        if not 0.0 < self.label_smoothing <= 1.0:
            raise ConfigError(f"label_smoothing must be in (0, 1], got {self.label_smoothing}")
        for name in ("gp_weight", "clip", "r1_weight", "instance_noise"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ConfigError(f"{name} must be 0 (off) or more, got {value}")
        if not 0.0 <= self.ema < 1.0:
            raise ConfigError(f"ema must be 0 (off) or a decay in (0, 1), got {self.ema}")


@dataclass
class OptimConfig:
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999
    # none = constant rates; linear = both fall linearly to 0 over the run (its epochs,
    # --max-steps or --max-minutes, whichever ends it first)
    lr_decay: Literal["none", "linear"] = "none"

    def __post_init__(self):
        if self.lr_g <= 0 or self.lr_d <= 0:
            raise ConfigError("learning rates must be positive")


@dataclass
class TrainConfig:
    epochs: int = 20
    batch_size: int = 64
    d_steps: int | None = None  # k: D updates per G update; None = the loss's own (1 or 5)
    noise: Literal["normal", "uniform"] = "normal"
    seed: int = 0
    max_steps: int | None = None  # stop after this many generator steps
    max_minutes: float | None = None  # stop after this many minutes of training (this process)
    log_every: int = 50  # steps between progress/metrics flushes
    sample_every: int = 1  # epochs between sample grids
    checkpoint_every: int = 1  # epochs between checkpoints
    grid: int = 5  # sample grid is grid x grid images
    keep: int = 3  # step checkpoints kept (best and final are kept as well)
    on_nan: Literal["stop", "skip"] = "stop"  # a NaN/Inf loss stops the run, or skips the step
    eval_every: int = 1  # epochs between quick evaluations (0 = never)
    eval_samples: int = 2000  # samples per quick evaluation
    device: str = "auto"  # auto (cuda, else mps, else cpu) | cpu | cuda | cuda:N | mps
    precision: Literal["fp32", "bf16", "fp16"] = "fp32"  # forward passes under autocast
    compile: bool = False  # torch.compile the networks' forward passes
    threads: int = 0  # CPU threads for torch (0 = one per available core)
    sync_bn: bool = False  # BatchNorm statistics synchronised across ranks (torchrun)

    def __post_init__(self):
        for name in ("epochs", "batch_size", "d_steps", "log_every", "sample_every",
                     "checkpoint_every", "grid", "keep"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.eval_every < 0:
            raise ConfigError(f"eval_every must be 0 (off) or more, got {self.eval_every}")
        if self.max_steps is not None and self.max_steps < 1:
            raise ConfigError(f"max_steps must be at least 1, got {self.max_steps}")
        if self.max_minutes is not None and not self.max_minutes > 0:
            raise ConfigError(f"max_minutes must be more than 0, got {self.max_minutes}")
        if not re.fullmatch(r"auto|cpu|cuda(:\d+)?|mps", self.device):
            raise ConfigError(f"device must be auto, cpu, cuda, cuda:N or mps, got {self.device!r}")
        if self.threads < 0:
            raise ConfigError(f"threads must be 0 (auto) or more, got {self.threads}")


SECTIONS: dict[str, type] = {
    "data": DataConfig, "loss": LossConfig, "optim": OptimConfig, "train": TrainConfig,
}


def model_config_classes() -> dict[str, type]:
    """Architecture name -> model config dataclass (imports the models on first use)."""
    if not MODEL_CONFIGS:
        from ganforge.models import ARCHITECTURES

        MODEL_CONFIGS.update({n: a.config_class for n, a in ARCHITECTURES.items()})
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
            raise ConfigError(f"{where}: unknown section {unknown[0]!r}")
        sections = {
            n: from_dict(c, data.get(n, {}), f"{where} [{n}]") for n, c in SECTIONS.items()
        }
        model = _model_from_dict(data.get("model", {}), f"{where} [model]")
        preset = coerce(data.get("preset"), str | None, f"{where}: preset")
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
    if arch not in classes:
        raise ConfigError(f"{where}: unknown arch {arch!r} (known: {', '.join(classes)})")
    return from_dict(classes[arch], data, f"{where} (arch {arch})")


def option_types(arch: str) -> dict[str, tuple[str, Any]]:
    """Every setting a user may override: name -> (section, type), for architecture `arch`."""
    options = {name: (section, tp) for section, cls in SECTIONS.items()
               for name, tp in field_types(cls).items()}
    model_types = field_types(model_config_classes()[arch])
    options.update({n: ("model", tp) for n, tp in model_types.items()})
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
    where = where or str(path)
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{where}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc})") from None


def load_preset_dict(name: str) -> dict[str, Any]:
    presets = list_presets()
    if name not in presets:
        raise ConfigError(f"unknown preset {name!r} (known: {', '.join(presets)})")
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
        raise ConfigError(f"{where}: unknown arch {arch!r}")
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
             "checkpoint_every", "keep", "on_nan", "eval_every", "eval_samples")


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
    refused = sorted(set(overrides) - set(RESUMABLE))
    if refused:
        flag = "--" + refused[0].replace("_", "-")
        raise ConfigError(f"{flag} cannot change when resuming (only: {', '.join(RESUMABLE)})")
    layer = overrides_to_layer(overrides, saved.model.arch, "command line")
    return RunConfig.from_dict(_merge(saved.to_dict(), layer), "command line")
