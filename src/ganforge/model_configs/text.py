"""The settings of the text-to-image architectures: what every one reads (TextSettings), the
SPEC's t2i and DF-GAN."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from ganforge.errors import ConfigError
from ganforge.model_configs.base import (
    MAX_WIDTH,
    ModelSettings,
    channels_setting,
    image_size_setting,
    latent_setting,
    slope_setting,
)
from ganforge.schema import setting


@dataclass
class TextSettings(ModelSettings):
    """What every text-to-image architecture reads: the caption's encoder and sizes, the
    sizes the data set fills in, and the objective's text terms (training/text_objective.py).
    Each architecture names itself in `arch` and adds the options of its own networks."""

    default_image_size: ClassVar[int] = 64

    arch: str = setting("t2i", "network architecture")
    latent_dim: int = latent_setting()
    text_encoder: str = setting("minilm", "sentence encoder of the captions (see "
                                          "docs/text-to-image.md)", max_len=200)
    text_dim: int = setting(0, "size of the text vector (filled in from the encoder)", ge=0,
                            le=8192)
    text_proj: int = setting(128, "size the text vector is projected to, in G and in D", ge=1,
                             le=MAX_WIDTH)
    width: int = setting(32, "channels of D's first convolution; G mirrors D", ge=1, le=256)
    channels: int = channels_setting()
    image_size: int = image_size_setting("28, 64 or 128 (filled in from the data set)")
    num_classes: int = setting(10, "number of classes (filled in from the data set; 0: none, "
                                   "D has no class head)", ge=0, le=1000)
    leaky_slope: float = slope_setting()
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

    def min_batch(self) -> tuple[int, str]:
        return 2, "its mismatched pairs give each image another image's caption"

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
    image_size: int = image_size_setting("32, 64 or 128 (filled in from the data set)", 64)
