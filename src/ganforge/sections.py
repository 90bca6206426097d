"""The run-wide sections of a run's settings: [data], [loss], [optim], [train].

Each field is one `setting(default, description, bounds)`: `ganforge train --help` prints the
description, default, choices and range, and construction enforces the range. Nothing here
imports torch, so the help answers at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ganforge.errors import ConfigError
from ganforge.schema import Settings, setting, shown

LossName = Literal["non-saturating", "minimax", "least-squares", "wasserstein",
                   "wasserstein-gp", "hinge"]  # ganforge.losses.LOSSES (a test checks)


@dataclass
class DataConfig(Settings):
    dataset: str = setting("mnist", "data set to train on (see `ganforge data list`), or "
                                    "the path of a folder or archive of images",
                           max_len=4096)
    data_dir: str | None = setting(None, "look for the data set in this folder first")
    limit: int | None = setting(None, "use only the first N training images (quick trials)",
                                ge=1, le=10**9)
    # How a folder of images is prepared (docs/data.md); the built-in sets have fixed sizes.
    image_size: int | None = setting(None, "a folder's images are resized to N x N (none: the "
                                           "model's size, 64 for dcgan and t2i)", ge=8, le=256)
    channels: int | None = setting(None, "a folder's images as 1 (grey) or 3 (RGB) channels "
                                         "(none: grey when every image is)", ge=1, le=3)
    fit: Literal["crop", "pad"] = setting("crop", "how a folder's images become square: "
                                                  "centre crop, or pad with white")
    test_fraction: float = setting(0.1, "share of a folder's images held out as its test "
                                        "split (fixed by the file names)", ge=0, le=0.5)


@dataclass
class LossConfig(Settings):
    """The loss and the stabilisers of training (see docs/losses.md)."""

    loss: LossName = setting("non-saturating", "the GAN loss (see docs/losses.md)")
    label_smoothing: float = setting(1.0, "D's target for real images (0.9 = one-sided "
                                          "smoothing)", gt=0, le=1)
    gp_weight: float | None = setting(None, "gradient penalty weight; none = the loss's own, "
                                            "0 = off", ge=0, le=1e6)
    clip: float | None = setting(None, "clamp D's weights to [-clip, clip]; none = the loss's "
                                       "own, 0 = off", ge=0, le=1e3)
    r1_weight: float = setting(0.0, "R1 penalty on real images (0 = off)", ge=0, le=1e6)
    spectral_norm: bool = setting(False, "spectral normalisation of D's linear/conv layers")
    instance_noise: float = setting(0.0, "std of noise on D's inputs, annealed to 0 (0 = off)",
                                    ge=0, le=100)
    ema: float = setting(0.0, "decay of an EMA of G's weights used for samples (0 = off; "
                              "e.g. 0.999)", ge=0, lt=1)
    augment: Literal["none", "translation", "cutout", "translation,cutout"] = setting(
        "none", "differentiable augmentation of every image D sees, real and fake alike "
                "(docs/losses.md)")


@dataclass
class OptimConfig(Settings):
    lr_g: float = setting(2e-4, "G's Adam learning rate", gt=0, le=1)
    lr_d: float = setting(2e-4, "D's Adam learning rate", gt=0, le=1)
    beta1: float = setting(0.5, "Adam's beta1 (both networks)", ge=0, lt=1)
    beta2: float = setting(0.999, "Adam's beta2 (both networks)", ge=0, lt=1)
    lr_decay: Literal["none", "linear"] = setting(
        "none", "none = constant rates; linear = both fall linearly to 0 over the run (its "
                "epochs, --max-steps or --max-minutes, whichever ends it first)")


@dataclass
class TrainConfig(Settings):
    epochs: int = setting(20, "passes over the training set", ge=1, le=100_000)
    batch_size: int = setting(64, "images per batch", ge=1, le=8192)
    d_steps: int | None = setting(None, "D updates per G update (k); none = the loss's own "
                                        "(1, or 5 for the Wasserstein losses)", ge=1, le=100)
    noise: Literal["normal", "uniform"] = setting("normal", "distribution of G's noise z")
    seed: int = setting(0, "seed of weights, noise and data order", ge=0, le=2**32 - 1)
    max_steps: int | None = setting(None, "stop after this many generator steps", ge=1,
                                    le=10**9)
    max_minutes: float | None = setting(None, "stop after this many minutes of training (this "
                                              "process)", gt=0, le=1e6)
    log_every: int = setting(50, "steps between metrics flushes", ge=1, le=10**9)
    sample_every: int = setting(1, "epochs between sample grids", ge=1, le=100_000)
    checkpoint_every: int = setting(1, "epochs between checkpoints", ge=1, le=100_000)
    grid: int = setting(5, "the sample grid is grid x grid images", ge=1, le=32)
    keep: int = setting(3, "step checkpoints kept (best and final are kept as well)", ge=1,
                        le=1000)
    on_nan: Literal["stop", "skip"] = setting("stop", "a NaN/Inf loss stops the run, or skips "
                                                      "the step")
    eval_every: int = setting(1, "epochs between quick evaluations (0 = never)", ge=0,
                              le=100_000)
    eval_samples: int = setting(2000, "samples per quick evaluation", ge=1, le=100_000)
    device: str = setting("auto", "auto (cuda, else mps, else cpu), cpu, cuda, cuda:N or mps",
                          max_len=16)
    precision: Literal["fp32", "bf16", "fp16"] = setting("fp32", "forward passes under "
                                                                 "autocast")
    compile: bool = setting(False, "torch.compile the networks' forward passes")
    compile_mode: Literal["default", "reduce-overhead", "max-autotune"] = setting(
        "default", "torch.compile's mode with --compile (reduce-overhead: CUDA graphs, CUDA "
                   "only)")
    threads: int = setting(0, "CPU threads for torch (0 = one per available core)", ge=0,
                           le=1024)
    sync_bn: bool = setting(False, "BatchNorm statistics synchronised across ranks (torchrun)")

    def check(self) -> None:
        if not re.fullmatch(r"auto|cpu|cuda(:\d{1,3})?|mps", self.device):
            raise ConfigError(f"device must be auto, cpu, cuda, cuda:N or mps, got "
                              f"{shown(self.device)}")
        if self.compile_mode != "default" and not self.compile:
            raise ConfigError(f"compile_mode {self.compile_mode} applies with compile true "
                              "(--compile true)")
