"""The self-supervised image encoder fitted on a data set with neither classes nor captions
(`ganforge evaluator fit`): SimCLR's recipe (Chen et al. 2020) on ganforge's own
augmentations, with a second objective that keeps what tells a clean image from a damaged
one in the features.

1. Views: two views of each image, each shifted by up to 1/8 of its size, a square of 1/4 of
   its size cut out (training.augment, the DiffAugment transforms: colours are kept, so
   colour stays in the features) and mirrored at random, pass through the CNN and its
   projection; the symmetric InfoNCE loss (metrics.contrastive.info_nce, temperature fixed
   at TEMPERATURE) pulls the two views of an image together and pushes the other images of
   the batch away.
2. Damage: a third view of each image is, at random, left as it is, given Gaussian noise,
   blurred, or cut into a grid of tiles put back in a random order (its colours all kept,
   its shape broken); a linear head on the CNN's features names which (cross-entropy,
   weight DAMAGE_WEIGHT). The head is used in fitting only and not stored.

Why the second objective: with views alone, telling one image from the others of a batch is
done best by what is unique to it (a background's texture, the flower's size and place), and
the features keep little of what makes an image look right. Generated images with noisy
petals, smeared shapes or scrambled parts then land among the real ones, a generator's FD
stops improving as its images do, and even uniform noise falls inside the real images'
manifold (precision 1). Naming the damage makes noise, blur and broken structure directions
of the feature space.

The feature space for FD, KID and precision/recall is the CNN's penultimate layer scaled to
unit length (`FittedEncoder.features`): the raw features' lengths grow with how damaged an
image looks and then outweigh everything else in FD (on the synthetic flowers, FD of the raw
features ranked a run's checkpoints unlike the shipped classifier; of the unit-length ones,
like it: docs/evaluation.md). RECIPE numbers the recipe (views and damage, features of
unit length); it is stored in the record, and a record of an older recipe (1: views only,
features as they come) is refused when loaded (metrics.fitted)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ganforge.metrics.contrastive import FittedEncoder, info_nce
from ganforge.metrics.fitted import SELF_SUPERVISED_RECIPE
from ganforge.training.augment import cutout, translate

RECIPE = SELF_SUPERVISED_RECIPE  # 2: views and damage (1: views only, before)
TEMPERATURE = 0.2  # fixed (SimCLR's range is 0.1 to 0.5)
CUTOUT = 0.25  # side of the cut-out square, as a share of the image's
DAMAGES = ("none", "noise", "blur", "tiles")
DAMAGE_WEIGHT = 1.0
NOISE = (0.05, 0.3)  # standard deviation of the Gaussian noise, drawn in this range ([-1, 1])
TILES = 4  # the image cut into TILES x TILES tiles
_BINOMIAL = (1.0, 4.0, 6.0, 4.0, 1.0)  # the blur kernel (separable), applied twice


def view(x: torch.Tensor) -> torch.Tensor:
    """One random view of a batch (B, C, H, W) in [-1, 1] (the global torch RNG draws it)."""
    x = cutout(translate(x), CUTOUT)
    flip = torch.rand(x.shape[0], device=x.device) < 0.5
    return torch.where(flip.view(-1, 1, 1, 1), x.flip(3), x)


def blur(x: torch.Tensor) -> torch.Tensor:
    """A 5x5 binomial blur, twice, edges repeated."""
    c = x.shape[1]
    k = torch.tensor(_BINOMIAL, dtype=x.dtype, device=x.device)
    k = (k / k.sum()).view(1, 1, 1, -1).repeat(c, 1, 1, 1)
    for _ in range(2):
        x = F.conv2d(F.pad(x, (2, 2, 0, 0), mode="replicate"), k, groups=c)
        x = F.conv2d(F.pad(x, (0, 0, 2, 2), mode="replicate"), k.transpose(2, 3), groups=c)
    return x


def shuffle_tiles(x: torch.Tensor, n: int = TILES) -> torch.Tensor:
    """Each image cut into n x n tiles (of size // n pixels; a remainder at the right and
    bottom stays in place), put back in its own random order."""
    b, c, h, w = x.shape
    th, tw = h // n, w // n
    grid = x[:, :, : n * th, : n * tw].reshape(b, c, n, th, n, tw).permute(0, 2, 4, 1, 3, 5)
    grid = grid.reshape(b, n * n, c, th, tw)
    order = torch.argsort(torch.rand(b, n * n, device=x.device), dim=1)
    grid = grid[torch.arange(b, device=x.device)[:, None], order]
    out = x.clone()
    out[:, :, : n * th, : n * tw] = grid.reshape(b, n, n, c, th, tw).permute(0, 3, 1, 4, 2, 5) \
        .reshape(b, c, n * th, n * tw)
    return out


def damage(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(damaged batch, which damage of DAMAGES (B,) int64): each image of (B, C, H, W) in
    [-1, 1] given one damage drawn at random (the global torch RNG draws it)."""
    b = x.shape[0]
    label = torch.randint(len(DAMAGES), (b,), device=x.device)
    sigma = NOISE[0] + (NOISE[1] - NOISE[0]) * torch.rand(b, 1, 1, 1, device=x.device)
    choices = (x, x + sigma * torch.randn_like(x), blur(x), shuffle_tiles(x))
    out = x
    for i in range(1, len(DAMAGES)):
        out = torch.where((label == i).view(-1, 1, 1, 1), choices[i], out)
    return out, label


def damage_head(model: FittedEncoder) -> nn.Linear:
    """The linear head naming the damage from the features (fitting only)."""
    return nn.Linear(model.config.feature_dim, len(DAMAGES))


def view_loss(model: FittedEncoder, x: torch.Tensor, head: nn.Module | None = None
              ) -> torch.Tensor:
    """InfoNCE between the projections of two views of each image of `x`, plus (given the
    damage head) DAMAGE_WEIGHT times the cross-entropy of naming a third view's damage."""
    b = x.shape[0]
    views = [view(x), view(x)]
    if head is not None:
        damaged, label = damage(view(x))
        views.append(damaged)
    h = model.body(torch.cat(views))
    a, c = model.image_proj(h[: 2 * b]).chunk(2)
    loss = info_nce(a, c, model.scale())
    if head is not None:
        loss = loss + DAMAGE_WEIGHT * F.cross_entropy(head(h[2 * b :]), label)
    return loss
