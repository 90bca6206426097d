"""The model side of `ganforge serve`: a generator loaded once, then only read.

Every request draws its own latent vectors from its own `torch.Generator` seeded by the
request, and runs the generator under `torch.inference_mode()`; nothing shared is written
after loading, so requests may run at the same time on a thread pool.

What a request may add to the noise depends on what the run is conditioned on; a
`ConditionInput` (ganforge.serve.inputs: noise only, a class, or a caption) turns the request's
class and caption fields into the generator's condition, and refuses the ones the model cannot
use. The
assembly (ganforge.serve.assembly) picks the input for the run's condition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch

from ganforge.errors import GanforgeError
from ganforge.model_configs import Condition, condition_of
from ganforge.sampling.captions import noise
from ganforge.sampling.draw import draw_images
from ganforge.sampling.generator import LoadedGenerator
from ganforge.serve.about import model_about, shown_name, trained_on
from ganforge.serve.familiar import CaptionCheck
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

    kind: str  # "unconditional", "class-conditional" or "text-conditioned"
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
    classes: tuple[str, ...] = ()  # class names, index order (class-conditional only)
    about: str = ""  # the networks in plain words
    trained_on: str = ""  # which data the model learned from, in plain words


class ConditionInput(Protocol):
    """What a request adds to the noise: the generator's condition, or None for noise alone."""

    kind: str  # ModelDescription.kind
    conditional: bool  # the generator reads a condition beside the noise (class or caption)
    text_encoder: str | None
    example_captions: tuple[str, ...]
    class_names: tuple[str, ...]  # the classes a request may name (class-conditional only)

    def for_generate(self, caption: str | None, caption_to: str | None,
                     t: float | None, class_name: str | int | None = None) -> torch.Tensor | None:
        """The condition of POST /api/generate's fields; RequestError for unusable ones."""
        ...

    def for_walk(self, caption: str | None, class_name: str | int | None = None
                 ) -> torch.Tensor | None:
        """The condition of GET /api/interpolate's caption and class; RequestError for an
        unusable one."""
        ...

    def checked(self, caption: str | None, caption_to: str | None, t: float | None,
                class_name: str | int | None = None
                ) -> tuple[torch.Tensor | None, CaptionCheck | None]:
        """for_generate's condition and how close its caption is to the training captions
        (None: no caption, or nothing to compare with)."""
        ...

    def walk_checked(self, caption: str | None, class_name: str | int | None = None
                     ) -> tuple[torch.Tensor | None, CaptionCheck | None]:
        """for_walk's condition and its caption's check."""
        ...


class Service:
    """Images from a seed and the request's condition: the seed gives the latent points, the
    condition input what else the generator reads, the generator the images."""

    def __init__(self, loaded: LoadedGenerator, condition: ConditionInput):
        freeze(loaded.generator)
        self._loaded = loaded
        self._input = condition

    @property
    def condition(self) -> Condition:
        """What the served run is conditioned on (the page's controls follow it)."""
        return condition_of(self._loaded.config.model)

    def describe(self) -> ModelDescription:
        loaded, condition = self._loaded, self._input
        model = loaded.config.model
        return ModelDescription(
            kind=condition.kind, arch=model.arch, dataset=shown_name(loaded.config.data.dataset),
            channels=int(model.channels), height=int(model.image_size),
            width=int(model.image_size), latent_dim=int(model.latent_dim),
            noise=loaded.config.train.noise, step=loaded.step,
            checkpoint=loaded.checkpoint.name, conditional=condition.conditional,
            text_encoder=condition.text_encoder, example_captions=condition.example_captions,
            classes=condition.class_names,
            about=model_about(model.arch), trained_on=trained_on(loaded.config.data.dataset),
        )

    def latents(self, n: int, seed: int) -> torch.Tensor:
        """The n latent points of a seed: the ones `ganforge sample/generate --seed` draw."""
        return noise(self._loaded, n, seed)

    def decode(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        """Images in [-1, 1], (N, C, H, W), from latent points (N, latent_dim) and the
        condition (1 or N rows: class indices (1,) or sentence vectors (1, E); None: z
        alone)."""
        with torch.inference_mode():
            if cond is None:
                return draw_images(self._loaded.generator, z)
            return draw_images(self._loaded.generator, z, cond.expand(len(z), *cond.shape[1:]))

    def generate(self, n: int, seed: int, caption: str | None = None,
                 caption_to: str | None = None, t: float | None = None,
                 class_name: str | int | None = None) -> torch.Tensor:
        """n images from a seed (and the caption; with caption_to and t, the same noise at
        fraction t of the way from caption to caption_to; with class_name, of that class):
        same request, same images."""
        return self.generate_checked(n, seed, caption, caption_to, t, class_name)[0]

    def generate_checked(self, n: int, seed: int, caption: str | None = None,
                         caption_to: str | None = None, t: float | None = None,
                         class_name: str | int | None = None
                         ) -> tuple[torch.Tensor, CaptionCheck | None]:
        """generate's images and how close the caption is to the training captions."""
        cond, check = self._input.checked(caption, caption_to, t, class_name)
        return self.decode(self.latents(n, seed), cond), check

    def interpolate(self, n: int, seed_a: int, seed_b: int, t: float, method: Method = "slerp",
                    caption: str | None = None, class_name: str | int | None = None
                    ) -> torch.Tensor:
        """n images at fraction t of the way from seed_a's latent points to seed_b's (of the
        class `class_name` all the way, when given)."""
        return self.interpolate_checked(n, seed_a, seed_b, t, method, caption, class_name)[0]

    def interpolate_checked(self, n: int, seed_a: int, seed_b: int, t: float,
                            method: Method = "slerp", caption: str | None = None,
                            class_name: str | int | None = None
                            ) -> tuple[torch.Tensor, CaptionCheck | None]:
        """interpolate's images and how close the caption is to the training captions."""
        cond, check = self._input.walk_checked(caption, class_name)
        z = interpolate(self.latents(n, seed_a), self.latents(n, seed_b), t, method)
        return self.decode(z, cond), check
