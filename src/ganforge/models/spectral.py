"""Spectral normalisation of a network's layers (Miyato et al. 2018), the [loss] option
spectral_norm: a transform of D's modules, so training and the checkpoint check build the
same D (the same weight names) from a config alone."""

from __future__ import annotations

from torch import nn
from torch.nn.utils.parametrizations import spectral_norm


def spectral_normalize(module: nn.Module) -> nn.Module:
    """Wrap each Linear and convolution layer of `module` with spectral normalisation (its
    weight divided by a power-iteration estimate of its largest singular value)."""
    layers = [m for m in module.modules() if isinstance(m, (nn.Linear, nn.modules.conv._ConvNd))]
    for layer in layers:
        spectral_norm(layer)
    return module
