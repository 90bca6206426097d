"""The model side of `ganforge serve`: a generator loaded once, then only read.

Every request draws its own latent vectors from its own `torch.Generator` seeded by the
request, and runs the generator under `torch.inference_mode()`; nothing shared is written
after loading, so requests may run at the same time on a thread pool.

`load_service` picks the service class for a run. Today every ganforge model is
unconditional (`UnconditionalService`); a text-conditioned generator plugs in as another
class with the same methods, whose `check_caption` requires a caption instead of refusing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from ganforge.errors import GanforgeError
from ganforge.sampling import LoadedGenerator, load_generator
from ganforge.serve.interpolate import Method, interpolate
from ganforge.training.noise import sample_noise


class RequestError(GanforgeError):
    """A request the model cannot serve (e.g. a caption for an unconditional model)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ModelDescription:
    """What a client needs to know about the served model."""

    kind: str  # "unconditional" (a text-conditioned model will say "text-conditioned")
    arch: str
    dataset: str
    channels: int
    height: int
    width: int
    latent_dim: int
    noise: str
    step: int
    checkpoint: str  # file name only: the server does not reveal its folders
    conditional: bool


class UnconditionalService:
    """Images from z alone: a seed gives the latent points, the generator the images."""

    conditional = False

    def __init__(self, loaded: LoadedGenerator):
        generator = loaded.generator.eval()
        for param in generator.parameters():
            param.requires_grad_(False)
        self._generator = generator
        self._loaded = loaded
        model = loaded.config.model
        self._latent_dim = int(model.latent_dim)
        self._noise = loaded.config.train.noise

    def describe(self) -> ModelDescription:
        config = self._loaded.config
        model = config.model
        return ModelDescription(
            kind="unconditional", arch=model.arch, dataset=config.data.dataset,
            channels=int(model.channels), height=int(model.image_size),
            width=int(model.image_size), latent_dim=self._latent_dim, noise=self._noise,
            step=self._loaded.step, checkpoint=self._loaded.checkpoint.name,
            conditional=False,
        )

    def check_caption(self, caption: str | None) -> None:
        """Refuse a caption: this model cannot use one."""
        if caption is not None:
            raise RequestError(
                "caption", "this model is not text-conditioned; send caption null or leave it out"
            )

    def latents(self, n: int, seed: int) -> torch.Tensor:
        """The n latent points of a seed: the same as `ganforge sample --seed` draws."""
        rng = torch.Generator().manual_seed(seed)
        return sample_noise(n, self._latent_dim, self._noise, generator=rng)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Images in [-1, 1], (N, C, H, W), from latent points (N, latent_dim)."""
        with torch.inference_mode():
            return self._generator(z)

    def generate(self, n: int, seed: int, caption: str | None = None) -> torch.Tensor:
        """n images from a seed; the same seed always gives the same images."""
        self.check_caption(caption)
        return self.decode(self.latents(n, seed))

    def interpolate(
        self, n: int, seed_a: int, seed_b: int, t: float, method: Method = "slerp"
    ) -> torch.Tensor:
        """n images at fraction t of the way from seed_a's latent points to seed_b's."""
        z = interpolate(self.latents(n, seed_a), self.latents(n, seed_b), t, method)
        return self.decode(z)


def load_service(path: Path | str) -> UnconditionalService:
    """Load the run folder or checkpoint once and wrap it in the service for its kind."""
    return UnconditionalService(load_generator(path))
