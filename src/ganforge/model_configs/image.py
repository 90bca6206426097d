"""The settings of the image architectures: the MLP GAN, the 28x28 DCGAN and its class-
conditional twin, and the DCGAN of 32 to 256 px with its twin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from ganforge.errors import ConfigError
from ganforge.model_configs.base import (
    MAX_WIDTH,
    ClassConditional,
    SampleMixing,
    channels_setting,
    classes_setting,
    d_norm_setting,
    image_size_setting,
    init_setting,
    latent_setting,
    mbstd_setting,
    pack_setting,
    slope_setting,
    width_setting,
)
from ganforge.schema import setting


@dataclass
class MLPConfig(SampleMixing):
    """Sizes of the MLP GAN; the defaults are the classic fully connected GAN's layers."""

    arch: Literal["mlp"] = setting("mlp", "network architecture")
    latent_dim: int = latent_setting()
    channels: int = channels_setting()
    image_size: int = image_size_setting()
    g_hidden: list[int] = setting(help="widths of G's hidden Linear layers", max_len=6,
                                  factory=lambda: [256, 512, 1024], ge=1, le=MAX_WIDTH)
    d_hidden: list[int] = setting(help="widths of D's hidden Linear layers", max_len=6,
                                  factory=lambda: [1024, 512, 256], ge=1, le=MAX_WIDTH)
    g_batchnorm: bool = setting(False, "BatchNorm1d after each hidden Linear of G (a common "
                                       "variant of the MLP GAN)")
    g_dropout: float = setting(0.0, "dropout after each hidden layer of G", ge=0, lt=1)
    d_dropout: float = setting(0.3, "dropout after each hidden layer of D", ge=0, lt=1)
    leaky_slope: float = slope_setting()
    pack: int = pack_setting()
    mbstd: int = mbstd_setting()


@dataclass
class DCGAN28Config(SampleMixing):
    """The classic DCGAN (Radford et al.) for 28x28. The channel count (1 for digits), the init,
    D's norm and the width may vary; the defaults are the classic layers."""

    fixed_image_size: ClassVar[int | None] = 28

    arch: Literal["dcgan28"] = setting("dcgan28", "network architecture")
    latent_dim: int = latent_setting()
    channels: int = channels_setting()
    image_size: int = image_size_setting("fixed by the layers (28); checked against the data set")
    leaky_slope: float = slope_setting()
    init: Literal["dcgan", "default"] = init_setting()
    d_norm: Literal["batch", "layer", "none"] = d_norm_setting("batch")
    width: int = width_setting()
    pack: int = pack_setting()
    mbstd: int = mbstd_setting()
    codes: int = setting(0, "InfoGAN: G reads a categorical latent code of this many values "
                            "(the argmax of its noise's first N entries, one-hot, beside z) "
                            "and a head on D names it back; no labels (0 = off)",
                         ge=0, le=1000)
    code_weight: float = setting(1.0, "weight of the code head's cross-entropy in both "
                                      "losses (InfoGAN's lambda)", ge=0, le=1000)

    def latent_code(self) -> tuple[int, float]:
        return self.codes, self.code_weight

    def check(self) -> None:
        super().check()
        if self.codes == 1:
            raise ConfigError("codes must be 0 (off) or at least 2, got 1")
        if self.codes > self.latent_dim:
            raise ConfigError(f"codes ({self.codes}) are drawn from the noise's first entries:"
                              f" at most latent_dim ({self.latent_dim})")
        if self.codes and self.pack > 1:
            raise ConfigError("codes name each image's code; a packed D (--pack) scores "
                              "packs: use one or the other")


@dataclass
class CDCGAN28Config(ClassConditional):
    fixed_image_size: ClassVar[int | None] = 28

    arch: Literal["cdcgan28"] = setting("cdcgan28", "network architecture")
    latent_dim: int = latent_setting()
    channels: int = channels_setting()
    image_size: int = image_size_setting("fixed by the layers (28); checked against the data set")
    num_classes: int = classes_setting()
    embed_dim: int = setting(16, "size of G's class embedding", ge=1, le=1024)
    leaky_slope: float = slope_setting()
    init: Literal["dcgan", "default"] = init_setting()
    d_norm: Literal["batch", "layer", "none"] = d_norm_setting("none")
    width: int = width_setting()

    def check(self) -> None:
        if self.latent_dim < self.num_classes:
            raise ConfigError(f"cdcgan28 needs 2 <= num_classes <= latent_dim (its class is "
                              f"read from z), got {self.num_classes} and {self.latent_dim}")

    def base(self) -> DCGAN28Config:
        """The unconditional DCGAN these layers come from."""
        return DCGAN28Config(latent_dim=self.latent_dim, channels=self.channels,
                             leaky_slope=self.leaky_slope, init=self.init,
                             d_norm=self.d_norm, width=self.width)


DCGAN_SIZES = (32, 64, 128, 256)  # the image sizes arch dcgan and cdcgan build


def _dcgan_image_size() -> Any:
    return image_size_setting("32, 64, 128 or 256 (filled in from the data set)", 64, 256)


def _dcgan_width() -> Any:
    return setting(64, "channels of G's last and D's first hidden layer (ngf, ndf); the others "
                       "double, at most 16x", ge=1, le=128)


@dataclass
class DCGANConfig(SampleMixing):
    """The DCGAN of Radford et al. (2016) as in pytorch/examples, at 32 to 256 px: one
    up/down block per factor of two, the defaults the paper's 64x64 networks."""

    default_image_size: ClassVar[int] = 64
    image_sizes: ClassVar[tuple[int, ...]] = DCGAN_SIZES

    arch: Literal["dcgan"] = setting("dcgan", "network architecture")
    latent_dim: int = latent_setting()
    channels: int = channels_setting()
    image_size: int = _dcgan_image_size()
    leaky_slope: float = slope_setting()
    init: Literal["dcgan", "default"] = init_setting()
    d_norm: Literal["batch", "layer", "none"] = d_norm_setting("batch")
    width: int = _dcgan_width()
    pack: int = pack_setting()
    mbstd: int = mbstd_setting()

    def check(self) -> None:
        super().check()
        self.refuse_image_size(self.image_size)


@dataclass
class CDCGANConfig(ClassConditional):
    """The class-conditional twin of DCGANConfig (as cdcgan28 is of dcgan28)."""

    default_image_size: ClassVar[int] = 64
    image_sizes: ClassVar[tuple[int, ...]] = DCGAN_SIZES

    arch: Literal["cdcgan"] = setting("cdcgan", "network architecture")
    latent_dim: int = latent_setting()
    channels: int = channels_setting()
    image_size: int = _dcgan_image_size()
    num_classes: int = classes_setting()
    embed_dim: int = setting(16, "size of G's class embedding", ge=1, le=1024)
    leaky_slope: float = slope_setting()
    init: Literal["dcgan", "default"] = init_setting()
    d_norm: Literal["batch", "layer", "none"] = d_norm_setting("batch")
    width: int = _dcgan_width()

    def check(self) -> None:
        self.refuse_image_size(self.image_size)
        if self.latent_dim < self.num_classes:
            raise ConfigError(f"cdcgan needs 2 <= num_classes <= latent_dim (its class is "
                              f"read from z), got {self.num_classes} and {self.latent_dim}")

    def base(self) -> DCGANConfig:
        """The unconditional DCGAN these layers come from."""
        return DCGANConfig(latent_dim=self.latent_dim, channels=self.channels,
                           image_size=self.image_size, leaky_slope=self.leaky_slope,
                           init=self.init, d_norm=self.d_norm, width=self.width)
