"""The [model] section: one settings dataclass per architecture (the networks themselves live
in ganforge.models), and the registry of architectures: their configs, what each is
conditioned on, and each in plain words. Torch-free, like ganforge.sections, so `ganforge
train --help` can list every setting at once; the sizes are bounded so that no setting asks
for a huge network.

    base.py   the shared settings and base classes
    image.py  mlp, dcgan28, cdcgan28, dcgan, cdcgan
    text.py   t2i, dfgan
"""

from __future__ import annotations

from typing import Any, Literal

from ganforge.model_configs.base import (
    MAX_WIDTH,
    ClassConditional,
    ModelSettings,
    SampleMixing,
)
from ganforge.model_configs.image import (
    DCGAN_SIZES,
    CDCGAN28Config,
    CDCGANConfig,
    DCGAN28Config,
    DCGANConfig,
    MLPConfig,
)
from ganforge.model_configs.text import (
    DFGANConfig,
    T2IConfig,
    TextSettings,
)

__all__ = [
    "MAX_WIDTH",
    "ClassConditional",
    "ModelSettings",
    "SampleMixing",
    "DCGAN_SIZES",
    "CDCGAN28Config",
    "CDCGANConfig",
    "DCGAN28Config",
    "DCGANConfig",
    "MLPConfig",
    "DFGANConfig",
    "T2IConfig",
    "TextSettings",
    "MODEL_CONFIGS",
    "Condition",
    "CONDITIONS",
    "ABOUT",
    "about",
    "buildable_image_sizes",
    "condition_of",
]


MODEL_CONFIGS: dict[str, type] = {
    "mlp": MLPConfig, "dcgan28": DCGAN28Config, "cdcgan28": CDCGAN28Config, "t2i": T2IConfig,
    "dcgan": DCGANConfig, "cdcgan": CDCGANConfig, "dfgan": DFGANConfig,
}

Condition = Literal["none", "class", "text"]

# What G and D of each architecture read beside noise and images: nothing, class indices, or
# a caption's sentence vector. The one place that decides a run's kind.
CONDITIONS: dict[str, Condition] = {
    "mlp": "none", "dcgan28": "none", "cdcgan28": "class", "t2i": "text",
    "dcgan": "none", "cdcgan": "class", "dfgan": "text",
}


# Each architecture in plain words (the `--arch` help and what the page says it draws).
ABOUT: dict[str, str] = {
    "mlp": "the fully connected GAN (Goodfellow et al.)",
    "dcgan28": "the classic DCGAN (Radford et al.) for 28x28",
    "cdcgan28": "the classic DCGAN for 28x28 with a class input",
    "t2i": "text to image: G draws from a caption's sentence vector",
    "dcgan": "a DCGAN for 32 to 256 px",
    "cdcgan": "a DCGAN for 32 to 256 px with a class input",
    "dfgan": "text to image with DF-GAN's fusion blocks: G draws from a caption's sentence "
             "vector",
}


def about(arch: str) -> str:
    """An architecture in plain words (its name when it has none)."""
    return ABOUT.get(arch, arch)


def condition_of(model_config: Any) -> Condition:
    """What a model config's networks are conditioned on ("none", "class" or "text")."""
    return CONDITIONS[model_config.arch]


def buildable_image_sizes() -> frozenset[int]:
    """The image sizes some architecture trains at (a folder is prepared at 8 px or more)."""
    sizes: frozenset[int] = frozenset()
    for config in MODEL_CONFIGS.values():
        sizes |= config.built_sizes()
    return frozenset(s for s in sizes if s >= 8)
