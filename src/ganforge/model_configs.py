"""The [model] section: one settings dataclass per architecture (the networks themselves live
in ganforge.models). Torch-free, like ganforge.sections, so `ganforge train --help` can list
every setting at once; the sizes are bounded so that no setting asks for a huge network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from ganforge.errors import ConfigError
from ganforge.schema import Settings, setting

MAX_WIDTH = 4096  # widest hidden layer / latent vector a setting may ask for


def _latent() -> Any:
    return setting(100, "size of G's noise vector z", ge=1, le=MAX_WIDTH)


def _channels() -> Any:
    return setting(1, "image channels (filled in from the data set)", ge=1, le=4)


def _image_size(help: str = "image height and width (filled in from the data set)",
                default: int = 28, le: int = 128) -> Any:
    return setting(default, help, ge=1, le=le)


def _slope() -> Any:
    return setting(0.2, "negative slope of the LeakyReLUs", ge=0, lt=1)


def _width(default: int = 32) -> Any:
    return setting(default, "channels of G's last and D's first hidden layer; the others "
                            "double (32 in the classic DCGAN of Radford et al.)", ge=1, le=256)


def _init() -> Any:
    return setting("dcgan", "dcgan: weights N(0, 0.02), BN scale N(1, 0.02); default: "
                            "PyTorch's own")


def _d_norm(default: str) -> Any:
    return setting(default, "D's normalisation: batch = BatchNorm2d; layer = GroupNorm(1, C), "
                            "per image (what a gradient-penalty critic needs); none")


def _pack() -> Any:
    return setting(1, "PacGAN: D scores this many samples at once, joined along channels (or "
                      "concatenated vectors); 1 = off", ge=1, le=64)


def _mbstd() -> Any:
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

    def batch_multiple(self) -> int:
        """Every batch size must be a multiple of this (1: any)."""
        return 1

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


def _classes() -> Any:
    return setting(10, "number of classes (filled in from the data set)", ge=2, le=1000)


class ClassConditional(ModelSettings):
    """A model drawn for a class: a data set without two classes is refused in words that
    say where classes come from."""

    def __post_init__(self) -> None:
        if self.num_classes < 2:  # type: ignore[attr-defined]
            raise ConfigError(
                f"arch {self.arch} needs a data set with at least two classes (mnist, "  # type: ignore[attr-defined]
                "fashion-mnist, or a folder with one subfolder per class: docs/data.md); "
                f"this one has {self.num_classes}")  # type: ignore[attr-defined]
        super().__post_init__()


@dataclass
class MLPConfig(SampleMixing):
    """Sizes of the MLP GAN; the defaults are the classic fully connected GAN's layers."""

    arch: Literal["mlp"] = setting("mlp", "network architecture")
    latent_dim: int = _latent()
    channels: int = _channels()
    image_size: int = _image_size()
    g_hidden: list[int] = setting(help="widths of G's hidden Linear layers", max_len=6,
                                  factory=lambda: [256, 512, 1024], ge=1, le=MAX_WIDTH)
    d_hidden: list[int] = setting(help="widths of D's hidden Linear layers", max_len=6,
                                  factory=lambda: [1024, 512, 256], ge=1, le=MAX_WIDTH)
    g_batchnorm: bool = setting(False, "BatchNorm1d after each hidden Linear of G (a common "
                                       "variant of the MLP GAN)")
    g_dropout: float = setting(0.0, "dropout after each hidden layer of G", ge=0, lt=1)
    d_dropout: float = setting(0.3, "dropout after each hidden layer of D", ge=0, lt=1)
    leaky_slope: float = _slope()
    pack: int = _pack()
    mbstd: int = _mbstd()


@dataclass
class DCGAN28Config(SampleMixing):
    """The classic DCGAN (Radford et al.) for 28x28. The channel count (1 for digits), the init,
    D's norm and the width may vary; the defaults are the classic layers."""

    fixed_image_size: ClassVar[int | None] = 28

    arch: Literal["dcgan28"] = setting("dcgan28", "network architecture")
    latent_dim: int = _latent()
    channels: int = _channels()
    image_size: int = _image_size("fixed by the layers (28); checked against the data set")
    leaky_slope: float = _slope()
    init: Literal["dcgan", "default"] = _init()
    d_norm: Literal["batch", "layer", "none"] = _d_norm("batch")
    width: int = _width()
    pack: int = _pack()
    mbstd: int = _mbstd()
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
    latent_dim: int = _latent()
    channels: int = _channels()
    image_size: int = _image_size("fixed by the layers (28); checked against the data set")
    num_classes: int = _classes()
    embed_dim: int = setting(16, "size of G's class embedding", ge=1, le=1024)
    leaky_slope: float = _slope()
    init: Literal["dcgan", "default"] = _init()
    d_norm: Literal["batch", "layer", "none"] = _d_norm("none")
    width: int = _width()

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
    return _image_size("32, 64, 128 or 256 (filled in from the data set)", 64, 256)


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
    latent_dim: int = _latent()
    channels: int = _channels()
    image_size: int = _dcgan_image_size()
    leaky_slope: float = _slope()
    init: Literal["dcgan", "default"] = _init()
    d_norm: Literal["batch", "layer", "none"] = _d_norm("batch")
    width: int = _dcgan_width()
    pack: int = _pack()
    mbstd: int = _mbstd()

    def check(self) -> None:
        super().check()
        self.refuse_image_size(self.image_size)


@dataclass
class CDCGANConfig(ClassConditional):
    """The class-conditional twin of DCGANConfig (as cdcgan28 is of dcgan28)."""

    default_image_size: ClassVar[int] = 64
    image_sizes: ClassVar[tuple[int, ...]] = DCGAN_SIZES

    arch: Literal["cdcgan"] = setting("cdcgan", "network architecture")
    latent_dim: int = _latent()
    channels: int = _channels()
    image_size: int = _dcgan_image_size()
    num_classes: int = _classes()
    embed_dim: int = setting(16, "size of G's class embedding", ge=1, le=1024)
    leaky_slope: float = _slope()
    init: Literal["dcgan", "default"] = _init()
    d_norm: Literal["batch", "layer", "none"] = _d_norm("batch")
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


@dataclass
class TextSettings(ModelSettings):
    """What every text-to-image architecture reads: the caption's encoder and sizes, the
    sizes the data set fills in, and the objective's text terms (training/text_objective.py).
    Each architecture names itself in `arch` and adds the options of its own networks."""

    default_image_size: ClassVar[int] = 64

    arch: str = setting("t2i", "network architecture")
    latent_dim: int = _latent()
    text_encoder: str = setting("minilm", "sentence encoder of the captions (see "
                                          "docs/text-to-image.md)", max_len=200)
    text_dim: int = setting(0, "size of the text vector (filled in from the encoder)", ge=0,
                            le=8192)
    text_proj: int = setting(128, "size the text vector is projected to, in G and in D", ge=1,
                             le=MAX_WIDTH)
    width: int = setting(32, "channels of D's first convolution; G mirrors D", ge=1, le=256)
    channels: int = _channels()
    image_size: int = _image_size("28, 64 or 128 (filled in from the data set)")
    num_classes: int = setting(10, "number of classes (filled in from the data set; 0: none, "
                                   "D has no class head)", ge=0, le=1000)
    leaky_slope: float = _slope()
    class_weight: float = setting(1.0, "weight of the class cross-entropy terms in both "
                                       "losses", ge=0, le=1000)
    diversity_weight: float = setting(0.0, "weight of G's mode-seeking term (0 = off)", ge=0,
                                      le=1000)
    # The text-to-image options, all off by default (docs/text-to-image.md, "Options")
    hard_mismatch: float = setting(0.0, "share of the mismatched pairs whose wrong caption is "
                                        "of the image's own class", ge=0, le=1)
    ma_gp_weight: float = setting(0.0, "matching-aware gradient penalty on real pairs (0 = "
                                       "off; DF-GAN: 2)", ge=0, le=1e6)
    ma_gp_power: float = setting(6.0, "power of the penalty's joint gradient norm (DF-GAN: 6)",
                                 gt=0, le=100)
    ca_weight: float = setting(0.0, "conditioning augmentation in G: weight of its KL to "
                                    "N(0, I) (0 = off; StackGAN: 2)", ge=0, le=1000)
    attribute_weight: float = setting(
        0.0, "D's attribute head: D names the level of each attribute a real image's caption "
             "states, and G's images are scored against what their caption states (0 = off)",
        ge=0, le=1000)
    recombine_weight: float = setting(
        0.0, "G also draws captions of attribute combinations no species has (synthetic-"
             "flowers), its images scored by D's attribute head; this term's weight (0 = off)",
        ge=0, le=1000)
    attributes: int = setting(0, "attributes the captions state (filled in from the data set)",
                              ge=0, le=64)
    attribute_levels: int = setting(0, "levels of the attribute with the most (filled in from "
                                       "the data set)", ge=0, le=64)

    def check(self) -> None:
        if self.num_classes == 1:
            raise ConfigError("num_classes must be 0 (no classes) or at least 2, got 1")
        if self.num_classes == 0 and self.hard_mismatch > 0:
            raise ConfigError("hard_mismatch draws wrong captions of an image's own class: "
                              "it needs a data set with classes")
        if self.recombine_weight > 0 and self.attribute_weight == 0:
            raise ConfigError("recombine_weight scores G's images with D's attribute head: "
                              "set attribute_weight too")


@dataclass
class T2IConfig(TextSettings):
    """The text-to-image GAN of the SPEC: transposed convolutions with BatchNorm."""

    image_sizes: ClassVar[tuple[int, ...]] = (28, 64, 128)

    arch: Literal["t2i"] = setting("t2i", "network architecture")
    text_head: Literal["concat", "projection"] = setting(
        "concat", "how D's real/fake logit reads the caption: concatenated features, or a "
                  "projection (inner product) term")
    polar_harmonics: int = setting(
        0, "polar position channels: the radius and cos/sin(k phi), k = 1..K about the image "
           "centre, appended to the inputs of G's last two up-sampling layers (0 = off)",
        ge=0, le=32)
    polar_in: Literal["g", "g+d"] = setting(
        "g", "which networks get the polar channels: G alone, or G and D (D: at the input of "
             "its third convolution)")


@dataclass
class DFGANConfig(TextSettings):
    """DF-GAN (Tao et al. 2022): up-sampling residual blocks that fuse the sentence through
    per-channel affine transforms, and a one-way D that judges (image, sentence) jointly."""

    image_sizes: ClassVar[tuple[int, ...]] = (32, 64, 128)

    arch: Literal["dfgan"] = setting("dfgan", "network architecture")
    image_size: int = _image_size("32, 64 or 128 (filled in from the data set)", 64)


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
