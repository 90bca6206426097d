"""The one way ganforge draws images from a generator: `ganforge sample`, `ganforge
generate`, `ganforge serve` and evaluation (during training and `ganforge evaluate`) all come
here, so the same seed and condition give the same images everywhere.

The noise of a seed comes from a `torch.Generator` of its own (the global random stream is
not touched); the condition is what the generator reads beside it: nothing, class indices, or
one sentence vector per image.
"""

from __future__ import annotations

import torch
from torch import nn

from ganforge.models.noise import sample_noise

BATCH = 1000  # images per forward pass: bounds the memory of a large draw


def seeded_noise(n: int, latent_dim: int, noise: str, seed: int) -> torch.Tensor:
    """The n latent points (n, latent_dim) of `seed`: the same for every command."""
    return sample_noise(n, latent_dim, noise, generator=torch.Generator().manual_seed(seed))


@torch.no_grad()
def draw_images(generator: nn.Module, z: torch.Tensor, cond: torch.Tensor | None = None,
                batch_size: int = BATCH) -> torch.Tensor:
    """G's images (n, C, H, W) in [-1, 1] for the latent points `z` (n, latent_dim) and the
    condition `cond` (None: noise alone; (n,) class indices; (n, E) sentence vectors), in
    batches of `batch_size` on G's device, in eval mode (a training G is put back in train
    mode after), returned on the CPU."""
    was_training = generator.training
    if was_training:
        generator.eval()
    try:
        device = next(generator.parameters()).device
        inputs = [z] if cond is None else [z, cond]
        return torch.cat([
            generator(*(x[i : i + batch_size].to(device) for x in inputs)).cpu()
            for i in range(0, len(z), batch_size)])
    finally:
        if was_training:
            generator.train()
