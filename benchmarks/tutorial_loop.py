"""The reference: a tutorial-style GAN training loop, written the way most tutorials write it.

It trains the same networks (built by ganforge from the same config and seed) with the same
math as ganforge's trainer, but the tutorial way:
- a Dataset that turns one image at a time into a PIL image, then into a float tensor
  (ToTensor and Normalize((0.5,), (0.5,)) written out by hand), behind a torch DataLoader;
- D ends in nn.Sigmoid and the losses are nn.BCELoss against label tensors (real 0.9);
- the fake batch of D's step is made with autograd on and detached; in G's step D is not
  frozen (its weight gradients are computed and thrown away);
- torch.optim.Adam with its defaults for CPU tensors, zero_grad() each step;
- both losses are read with .item() after every step, for the per-epoch averages.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset


class PilImages(Dataset):
    """torchvision-MNIST style: uint8 arrays in memory, one PIL image per __getitem__."""

    def __init__(self, images: np.ndarray, labels: np.ndarray):
        self.images, self.labels = images, labels  # (N, H, W) uint8, (N,) int

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        image = Image.fromarray(self.images[index], mode="L")
        return to_normalised_tensor(image), int(self.labels[index])


def to_normalised_tensor(image: Image.Image) -> torch.Tensor:
    """ToTensor() then Normalize((0.5,), (0.5,)), as torchvision does them: (1, H, W) in
    [-1, 1]."""
    array = np.array(image, np.uint8, copy=True)
    tensor = torch.from_numpy(array).view(image.size[1], image.size[0], 1)
    tensor = tensor.permute((2, 0, 1)).contiguous().to(torch.float32).div(255)
    mean = torch.as_tensor((0.5,)).view(-1, 1, 1)
    std = torch.as_tensor((0.5,)).view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


@dataclass
class TutorialGAN:
    """Networks, optimizers and loss of the tutorial loop; `d` ends in Sigmoid."""

    g: nn.Module
    d: nn.Module
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    latent_dim: int
    real_target: float
    criterion: nn.Module = field(default_factory=nn.BCELoss)
    d_losses: list[float] = field(default_factory=list)
    g_losses: list[float] = field(default_factory=list)


def build_tutorial(generator: nn.Module, discriminator: nn.Module, config) -> TutorialGAN:
    """Copies of ganforge's freshly built networks (same weights), D followed by Sigmoid."""
    g = copy.deepcopy(generator)
    d = nn.Sequential(copy.deepcopy(discriminator), nn.Sigmoid())
    betas = (config.optim.beta1, config.optim.beta2)
    return TutorialGAN(
        g=g, d=d,
        opt_g=torch.optim.Adam(g.parameters(), lr=config.optim.lr_g, betas=betas),
        opt_d=torch.optim.Adam(d.parameters(), lr=config.optim.lr_d, betas=betas),
        latent_dim=config.model.latent_dim, real_target=config.loss.label_smoothing)


def make_loader(images: np.ndarray, labels: np.ndarray, batch_size: int,
                seed: int) -> DataLoader:
    """Shuffled batches of the PIL dataset (the tutorials' DataLoader, one process)."""
    return DataLoader(PilImages(images, labels), batch_size=batch_size, shuffle=True,
                      drop_last=True, generator=torch.Generator().manual_seed(seed))


def train_step(gan: TutorialGAN, real: torch.Tensor) -> None:
    """One D update then one G update, the tutorial way."""
    b = real.size(0)
    real_labels = torch.full((b,), gan.real_target)
    fake_labels = torch.zeros(b)
    gan.opt_d.zero_grad()
    real_out = gan.d(real).view(-1)
    d_loss_real = gan.criterion(real_out, real_labels)
    fake = gan.g(torch.randn(b, gan.latent_dim))
    fake_out = gan.d(fake.detach()).view(-1)
    d_loss_fake = gan.criterion(fake_out, fake_labels)
    d_loss = d_loss_real + d_loss_fake
    d_loss.backward()
    gan.opt_d.step()

    gan.opt_g.zero_grad()
    fake = gan.g(torch.randn(b, gan.latent_dim))
    g_loss = gan.criterion(gan.d(fake).view(-1), torch.ones(b))
    g_loss.backward()
    gan.opt_g.step()
    gan.d_losses.append(d_loss.item())
    gan.g_losses.append(g_loss.item())


def batches(loader: DataLoader) -> Iterator[torch.Tensor]:
    """Images of every batch, epoch after epoch."""
    while True:
        for real, _ in loader:
            yield real


def run_steps(gan: TutorialGAN, stream: Iterator[torch.Tensor], steps: int,
              after: Callable[[int], None] | None = None) -> None:
    """`steps` iterations from `stream`; `after(i)` is called after each one if given."""
    for i in range(steps):
        train_step(gan, next(stream))
        if after is not None:
            after(i)
