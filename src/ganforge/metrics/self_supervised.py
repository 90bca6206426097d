"""The self-supervised image encoder fitted on a data set with neither classes nor captions
(`ganforge evaluator fit`): SimCLR's recipe (Chen et al. 2020) on ganforge's own
augmentations. Two views of each image, each shifted by up to 1/8 of its size, a square of
1/4 of its size cut out (training.augment, the DiffAugment transforms: colours are kept, so
colour stays in the features) and mirrored at random, pass through the CNN and its
projection; the symmetric InfoNCE loss (metrics.contrastive.info_nce, temperature fixed at
TEMPERATURE) pulls the two views of an image together and pushes the other images of the
batch away. The CNN's penultimate layer is the feature space for FD, KID and
precision/recall."""

from __future__ import annotations

import torch

from ganforge.metrics.contrastive import FittedEncoder, info_nce
from ganforge.training.augment import cutout, translate

TEMPERATURE = 0.2  # fixed (SimCLR's range is 0.1 to 0.5)
CUTOUT = 0.25  # side of the cut-out square, as a share of the image's


def view(x: torch.Tensor) -> torch.Tensor:
    """One random view of a batch (B, C, H, W) in [-1, 1] (the global torch RNG draws it)."""
    x = cutout(translate(x), CUTOUT)
    flip = torch.rand(x.shape[0], device=x.device) < 0.5
    return torch.where(flip.view(-1, 1, 1, 1), x.flip(3), x)


def view_loss(model: FittedEncoder, x: torch.Tensor) -> torch.Tensor:
    """InfoNCE between the projections of two views of each image of `x`."""
    both = model.image_proj(model.body(torch.cat([view(x), view(x)])))
    a, b = both.chunk(2)
    return info_nce(a, b, model.scale())
