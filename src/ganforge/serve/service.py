"""The model side of `ganforge serve`: a generator loaded once, then only read.

Every request draws its own latent vectors from its own `torch.Generator` seeded by the
request, and runs the generator under `torch.inference_mode()`; nothing shared is written
after loading, so requests may run at the same time on a thread pool.

`load_service` picks the service class for a run: `UnconditionalService` here, or
`TextService` (ganforge.serve.text_service) for a text-to-image run, which has the same
methods but requires a caption where this one refuses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import torch

from ganforge.errors import GanforgeError
from ganforge.models.noise import sample_noise
from ganforge.sampling.generator import LoadedGenerator, load_generator
from ganforge.serve.interpolate import Method, interpolate


class RequestError(GanforgeError):
    """A request the model cannot serve (e.g. a caption for an unconditional model)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def freeze(generator: torch.nn.Module) -> torch.nn.Module:
    """The generator in eval mode with gradients off: from now on it is only read."""
    generator.eval()
    for param in generator.parameters():
        param.requires_grad_(False)
    return generator


@dataclass(frozen=True)
class ModelDescription:
    """What a client needs to know about the served model."""

    kind: str  # "unconditional" or "text-conditioned"
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
    text_encoder: str | None = None  # the encoder of the captions (text-conditioned only)
    example_captions: tuple[str, ...] = ()  # captions the run was shown with (text only)


def describe_run(loaded: LoadedGenerator, text_encoder: str | None = None,
                 example_captions: tuple[str, ...] = ()) -> ModelDescription:
    """The description of a loaded run; with `text_encoder`, a text-conditioned one."""
    config = loaded.config
    model = config.model
    return ModelDescription(
        kind="text-conditioned" if text_encoder else "unconditional", arch=model.arch,
        dataset=config.data.dataset, channels=int(model.channels),
        height=int(model.image_size), width=int(model.image_size),
        latent_dim=int(model.latent_dim), noise=config.train.noise, step=loaded.step,
        checkpoint=loaded.checkpoint.name, conditional=text_encoder is not None,
        text_encoder=text_encoder, example_captions=example_captions,
    )


class Service(Protocol):
    """What the app asks of a served model; every method only reads the model."""

    conditional: bool

    def describe(self) -> ModelDescription: ...

    def generate(self, n: int, seed: int, caption: str | None = None,
                 caption_to: str | None = None, t: float | None = None) -> torch.Tensor: ...

    def interpolate(self, n: int, seed_a: int, seed_b: int, t: float, method: Method = "slerp",
                    caption: str | None = None) -> torch.Tensor: ...


class UnconditionalService:
    """Images from z alone: a seed gives the latent points, the generator the images."""

    conditional = False

    def __init__(self, loaded: LoadedGenerator):
        self._generator = freeze(loaded.generator)
        self._loaded = loaded
        model = loaded.config.model
        self._latent_dim = int(model.latent_dim)
        self._noise = loaded.config.train.noise

    def describe(self) -> ModelDescription:
        return describe_run(self._loaded)

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

    def generate(self, n: int, seed: int, caption: str | None = None,
                 caption_to: str | None = None, t: float | None = None) -> torch.Tensor:
        """n images from a seed; the same seed always gives the same images."""
        self.check_caption(caption)
        if caption_to is not None:
            raise RequestError("caption_to", "this model is not text-conditioned; walk between "
                               "seeds with GET /api/interpolate")
        if t is not None:
            raise RequestError("t", "only with caption_to, for a text-conditioned model; walk "
                               "between seeds with GET /api/interpolate")
        return self.decode(self.latents(n, seed))

    def interpolate(self, n: int, seed_a: int, seed_b: int, t: float, method: Method = "slerp",
                    caption: str | None = None) -> torch.Tensor:
        """n images at fraction t of the way from seed_a's latent points to seed_b's."""
        self.check_caption(caption)
        z = interpolate(self.latents(n, seed_a), self.latents(n, seed_b), t, method)
        return self.decode(z)


def load_service(path: Path | str, encoder_dirs: Sequence[str | Path] = ()) -> Service:
    """Load the run folder or checkpoint once and wrap it in the service for its kind (a
    text-to-image run's encoder: built in, or one of `encoder_dirs`)."""
    loaded = load_generator(path)
    if hasattr(loaded.config.model, "text_encoder"):  # the test of load_text_generator
        from ganforge.serve.text_service import TextService
        from ganforge.text.encoders import checkpoint_encoder

        checkpoint_encoder(loaded.config.model.text_encoder, encoder_dirs, loaded.checkpoint)
        return TextService(loaded)
    return UnconditionalService(loaded)
