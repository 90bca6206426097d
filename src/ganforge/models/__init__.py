"""Model registry: an architecture name -> its config dataclass and its builder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from torch import nn

from ganforge.errors import ConfigError
from ganforge.models import cdcgan, cdcgan28, dcgan, dcgan28, dfgan, mlp, t2i


@dataclass(frozen=True)
class Architecture:
    config_class: type
    build: Callable[[Any], tuple[nn.Module, nn.Module]]


ARCHITECTURES: dict[str, Architecture] = {
    "mlp": Architecture(mlp.MLPConfig, mlp.build),
    "dcgan28": Architecture(dcgan28.DCGAN28Config, dcgan28.build),
    "cdcgan28": Architecture(cdcgan28.CDCGAN28Config, cdcgan28.build),
    "t2i": Architecture(t2i.T2IConfig, t2i.build),
    "dcgan": Architecture(dcgan.DCGANConfig, dcgan.build),
    "cdcgan": Architecture(cdcgan.CDCGANConfig, cdcgan.build),
    "dfgan": Architecture(dfgan.DFGANConfig, dfgan.build),
}


def get_architecture(name: str) -> Architecture:
    try:
        return ARCHITECTURES[name]
    except KeyError:
        known = ", ".join(sorted(ARCHITECTURES))
        raise ConfigError(f"unknown model arch {name!r} (known: {known})") from None


def build_models(model_config: Any) -> tuple[nn.Module, nn.Module]:
    """Build (generator, discriminator) from a model config alone."""
    return get_architecture(model_config.arch).build(model_config)
