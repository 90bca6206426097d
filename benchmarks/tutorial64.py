"""Tutorial-style loops for any image shape and for text to image, on any device: the
networks ganforge builds, trained the way tutorials train them (see tutorial_loop.py):

- a Dataset that turns one image at a time into a PIL image (L or RGB), then a tensor in
  [-1, 1], behind a DataLoader; each batch moved to the device in the step;
- D followed by a sigmoid and nn.BCELoss against label tensors made each step;
- the fake batch of D's step made with autograd on and detached; D not frozen in G's step;
- torch.optim.Adam with its defaults; both losses read with .item() every step.

The text-to-image loop is the matching-aware GAN-CLS of Reed et al. (2016), the terms of
ganforge's t2i objective without its options: D scores (real, its caption) as real, (real
rolled by one, the caption) and (G's image, the caption) as fake, each with the class
cross-entropy of D's class head; G is scored as real with the class cross-entropy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset


class PilImages(Dataset):
    """uint8 (N, C, H, W) images, one PIL image per item, with the label and the caption
    vector (a zero-length vector when there is none)."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, text: np.ndarray | None):
        self.images, self.labels, self.text = images, labels, text

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int):
        array = self.images[index]
        image = Image.fromarray(array[0], "L") if array.shape[0] == 1 \
            else Image.fromarray(array.transpose(1, 2, 0), "RGB")
        tensor = torch.from_numpy(np.array(image, np.uint8, copy=True))
        tensor = tensor.view(*tensor.shape[:2], -1).permute(2, 0, 1).float().div(255)
        text = torch.zeros(0) if self.text is None else torch.from_numpy(self.text[index, 0])
        return tensor.sub_(0.5).div_(0.5), int(self.labels[index]), text


@dataclass
class Tutorial:
    g: nn.Module
    d: nn.Module
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    latent_dim: int
    real_target: float
    device: torch.device
    text: bool = False

    def __post_init__(self):
        self.bce, self.ce = nn.BCELoss(), nn.CrossEntropyLoss()
        self.losses: list[tuple[float, float]] = []


def build(generator: nn.Module, discriminator: nn.Module, config, device: torch.device,
          text: bool) -> Tutorial:
    """Freshly built networks (plain torch layers) on `device`, with tutorial Adam."""
    g, d = generator.to(device), discriminator.to(device)
    betas = (config.optim.beta1, config.optim.beta2)
    return Tutorial(g, d, torch.optim.Adam(g.parameters(), lr=config.optim.lr_g, betas=betas),
                    torch.optim.Adam(d.parameters(), lr=config.optim.lr_d, betas=betas),
                    config.model.latent_dim, config.loss.label_smoothing, device, text)


def loader(images: np.ndarray, labels: np.ndarray, text: np.ndarray | None,
           batch_size: int) -> Iterator:
    """Shuffled batches, epoch after epoch (one process, as in most notebooks)."""
    data = DataLoader(PilImages(images, labels, text), batch_size=batch_size, shuffle=True,
                      drop_last=True, generator=torch.Generator().manual_seed(0))
    while True:
        yield from data


def _score(t: Tutorial, images: torch.Tensor, text: torch.Tensor, labels: torch.Tensor,
           target: float) -> torch.Tensor:
    """BCE of D's sigmoid against `target`, plus the class term for text to image."""
    if not t.text:
        out = torch.sigmoid(t.d(images).view(-1))
        return t.bce(out, torch.full((len(images),), target, device=t.device))
    logit, classes, _ = t.d(images, text)
    loss = t.bce(torch.sigmoid(logit), torch.full((len(images),), target, device=t.device))
    return loss if classes is None else loss + t.ce(classes, labels)


def train_step(t: Tutorial, batch) -> None:
    """One D update then one G update, the tutorial way."""
    real, labels, text = (x.to(t.device) for x in batch)
    b = len(real)
    noise = torch.randn(b, t.latent_dim, device=t.device)
    fake = t.g(noise, text) if t.text else t.g(noise)
    t.opt_d.zero_grad()
    d_loss = _score(t, real, text, labels, t.real_target)
    if t.text:  # mismatched pairs: the images rolled against their captions
        d_loss = d_loss + _score(t, torch.roll(real, 1, 0), text, labels.roll(1), 0.0)
    d_loss = d_loss + _score(t, fake.detach(), text, labels, 0.0)
    d_loss.backward()
    t.opt_d.step()
    t.opt_g.zero_grad()
    fake = t.g(torch.randn(b, t.latent_dim, device=t.device), text) if t.text \
        else t.g(torch.randn(b, t.latent_dim, device=t.device))
    g_loss = _score(t, fake, text, labels, 1.0)
    g_loss.backward()
    t.opt_g.step()
    t.losses.append((d_loss.item(), g_loss.item()))
