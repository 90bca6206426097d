"""What every model config shares: the settings several architectures declare alike (each a
function that makes the field, so every config gets its own) and the base classes that answer
for a config beside its settings (image sizes, batch multiple, InfoGAN code)."""

from __future__ import annotations

from typing import Any, ClassVar

from ganforge.errors import ConfigError
from ganforge.schema import Settings, setting

MAX_WIDTH = 4096  # widest hidden layer / latent vector a setting may ask for


def latent_setting() -> Any:
    return setting(100, "size of G's noise vector z", ge=1, le=MAX_WIDTH)


def channels_setting() -> Any:
    return setting(1, "image channels (filled in from the data set)", ge=1, le=4)


def image_size_setting(help: str = "image height and width (filled in from the data set)",
                       default: int = 28, le: int = 128) -> Any:
    return setting(default, help, ge=1, le=le)


def slope_setting() -> Any:
    return setting(0.2, "negative slope of the LeakyReLUs", ge=0, lt=1)


def width_setting(default: int = 32) -> Any:
    return setting(default, "channels of G's last and D's first hidden layer; the others "
                            "double (32 in the classic DCGAN of Radford et al.)", ge=1, le=256)


def init_setting() -> Any:
    return setting("dcgan", "dcgan: weights N(0, 0.02), BN scale N(1, 0.02); default: "
                            "PyTorch's own")


def d_norm_setting(default: str) -> Any:
    return setting(default, "D's normalisation: batch = BatchNorm2d; layer = GroupNorm(1, C), "
                            "per image (what a gradient-penalty critic needs); none")


def pack_setting() -> Any:
    return setting(1, "PacGAN: D scores this many samples at once, joined along channels (or "
                      "concatenated vectors); 1 = off", ge=1, le=64)


def mbstd_setting() -> Any:
    return setting(0, "group size of a minibatch-std feature before D's last layer (0 = off)",
                   ge=0, le=1024)


class ModelSettings(Settings):
    """What every model config answers beside its settings."""

    # The image height and width the layers are built for (None: any the config names)
    fixed_image_size: ClassVar[int | None] = None
    # The size a folder of images is prepared at when no --image-size is given
    default_image_size: ClassVar[int] = 28
    # The image sizes the layers can be built for (None: any the config's range admits)
    image_sizes: ClassVar[tuple[int, ...] | None] = None

    def refuse_image_size(self, size: int) -> None:
        """ConfigError when this architecture cannot be built for size x size images (run
        before a folder is prepared at that size, and again when the networks are built)."""
        sizes = self.image_sizes or ((self.fixed_image_size,) if self.fixed_image_size
                                     else None)
        if sizes is not None and size not in sizes:
            shown = ", ".join(f"{s}" for s in sizes[:-1])
            shown = f"{shown} or {sizes[-1]}" if shown else f"{sizes[-1]}"
            raise ConfigError(f"arch {getattr(self, 'arch', '?')} builds {shown} px images, "
                              f"not {size}x{size}")

    @classmethod
    def built_sizes(cls) -> frozenset[int]:
        """The image sizes these layers can be built for: the listed or fixed ones, else every
        size the config's image_size setting admits."""
        import dataclasses

        if cls.image_sizes or cls.fixed_image_size:
            return frozenset(cls.image_sizes or (cls.fixed_image_size,))
        spec = {f.name: f for f in dataclasses.fields(cls)}["image_size"].metadata["spec"]
        return frozenset(range(int(spec.ge), int(spec.le) + 1))

    def batch_multiple(self) -> int:
        """Every batch size must be a multiple of this (1: any)."""
        return 1

    def min_batch(self) -> tuple[int, str]:
        """The smallest batch size these networks train on, and why (1: any)."""
        return 1, ""

    def latent_code(self) -> tuple[int, float]:
        """The InfoGAN code G reads from its noise: (its number of values, 0 = none; the
        weight of its term in the losses)."""
        return 0, 0.0


class SampleMixing(ModelSettings):
    """The check of `pack` and `mbstd`, shared by the unconditional models."""

    pack: int
    mbstd: int

    def check(self) -> None:
        if self.mbstd == 1:
            raise ConfigError("mbstd must be 0 (off) or a group size of at least 2, got 1")

    def batch_multiple(self) -> int:
        """PacGAN's packs must tile every batch."""
        return self.pack


def classes_setting() -> Any:
    return setting(10, "number of classes (filled in from the data set)", ge=2, le=1000)


class ClassConditional(ModelSettings):
    """A model drawn for a class: a data set without two classes is refused in words that
    say where classes come from."""

    def __post_init__(self) -> None:
        if self.num_classes < 2:  # type: ignore[attr-defined]
            raise ConfigError(
                f"arch {self.arch} needs a data set with at least two classes (mnist, "  # type: ignore[attr-defined]
                "fashion-mnist, or a folder with one subfolder per class: docs/data.md); "
                f"this one has {self.num_classes} (`ganforge data check PATH` says why a "
                "folder has none)")  # type: ignore[attr-defined]
        super().__post_init__()
