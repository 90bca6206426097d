"""Optional Inception features (the FID of the literature) for `--features inception`.

Needs the `pytorch-fid` package (its InceptionV3 architecture) and its FID Inception weights
converted to safetensors, at the path in $GANFORGE_INCEPTION_WEIGHTS: ganforge never
unpickles files, so it does not read the .pth file pytorch-fid downloads. Neither is
required by anything else; without them this module raises a one-line ConfigError.
Class probabilities (classifier score, coverage) still come from the ganforge evaluator.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ganforge.errors import ConfigError
from ganforge.metrics.feature_set import FeatureSet, as_image_tensor

WEIGHTS_ENV = "GANFORGE_INCEPTION_WEIGHTS"
BATCH_SIZE = 100
FEATURE_DIM = 2048


NO_PACKAGE = ("--features inception needs the pytorch-fid package (pip install pytorch-fid); "
              "use --features evaluator")


def require_inception() -> None:
    """Refuse `--features inception` in one line, before any sample is drawn, when the
    pytorch-fid package or the weights file is missing (build_inception would say so only
    once the samples are there)."""
    import importlib.util

    if importlib.util.find_spec("pytorch_fid") is None:
        raise ConfigError(NO_PACKAGE)
    _weights_path()


def _weights_path() -> Path:
    """The safetensors file named by $GANFORGE_INCEPTION_WEIGHTS, or a one-line ConfigError."""
    value = os.environ.get(WEIGHTS_ENV, "")
    if not value:
        raise ConfigError(f"--features inception: set {WEIGHTS_ENV} to the FID Inception "
                          "weights as a .safetensors file (see docs/evaluation.md)")
    path = Path(value).expanduser()
    if not path.is_file():
        raise ConfigError(f"{path}: no such file ({WEIGHTS_ENV})")
    return path


def _weights() -> dict[str, torch.Tensor]:
    """The FID Inception state dict, from the safetensors file in $GANFORGE_INCEPTION_WEIGHTS."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    path = _weights_path()
    try:
        return load_file(str(path))
    except SafetensorError as exc:
        raise ConfigError(f"{path}: not a safetensors file ({exc})") from None


def build_inception() -> nn.Module:
    """pytorch-fid's InceptionV3 up to the 2048-d pool features, with weights from safetensors."""
    from unittest import mock

    try:
        from pytorch_fid import inception as fid_inception
    except ImportError:
        raise ConfigError(NO_PACKAGE) from None
    state = _weights()
    # pytorch-fid fetches its weights with load_state_dict_from_url; hand it ours instead.
    with mock.patch.object(fid_inception, "load_state_dict_from_url", lambda *a, **k: state):
        block = fid_inception.InceptionV3.BLOCK_INDEX_BY_DIM[FEATURE_DIM]
        model = fid_inception.InceptionV3([block], resize_input=True, normalize_input=True)
    return model.eval().requires_grad_(False)


class InceptionFeatures:
    """Inception pool features (n, 2048) with the evaluator's class probabilities."""

    def __init__(self, base: Callable[..., FeatureSet]):  # the evaluator's features
        self.base = base
        self.model = build_inception()

    @torch.no_grad()
    def __call__(self, images: Any, with_features: bool = True) -> FeatureSet:
        x = as_image_tensor(images)
        probs = self.base(x, with_features=False).probs
        if not with_features:
            return FeatureSet(None, probs)
        feats = []
        for i in range(0, x.shape[0], BATCH_SIZE):
            batch = x[i : i + BATCH_SIZE]
            unit = batch.float() / 255.0 if batch.dtype == torch.uint8 else (batch.float() + 1) / 2
            rgb = unit.clamp(0, 1).expand(-1, 3, -1, -1)  # grey -> 3 equal channels, [0, 1]
            feats.append(self.model(rgb)[0].flatten(1))  # (B, 2048)
        return FeatureSet(torch.cat(feats).numpy(), probs)
