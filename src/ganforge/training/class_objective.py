"""The class-conditional objective: real images scored with their own classes, G's images made
for the same classes and scored with them (the batch's class mix on both sides), through any
loss of the registry and with the same penalties and input noise as the unconditional one.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ganforge.errors import ConfigError
from ganforge.training.batch import Batch
from ganforge.training.objectives import AdversarialObjective


class WithClasses(nn.Module):
    """D(x, classes) with the classes bound: a function of images alone. A call on k stacked
    copies of the batch (real and fake images in one pass) repeats the classes k times."""

    def __init__(self, d: nn.Module, classes: torch.Tensor):
        super().__init__()
        self.d, self.classes = d, classes

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        copies, rest = divmod(len(x), len(self.classes))
        if rest:
            raise ValueError(f"{len(x)} images for {len(self.classes)} bound classes")
        return self.d(x, self.classes.repeat(copies))  # (k B,)


@dataclass
class ClassConditionalObjective(AdversarialObjective):
    @staticmethod
    def classes(batch: Batch) -> torch.Tensor:
        if batch.cond is None:
            raise ConfigError("a class-conditional model needs a data set with labels")
        return batch.cond

    def generate(self, g: nn.Module, batch: Batch) -> torch.Tensor:
        return g(self.noise_for(batch), self.classes(batch))

    def critic(self, d: nn.Module, batch: Batch) -> nn.Module:
        return WithClasses(d, self.classes(batch))
