"""The model side of `ganforge serve` for a text-to-image run: captions in, images out.

Captions are encoded and drawn by the functions of `ganforge.sampling.captions` (the ones behind
`ganforge generate`), so a seed and a caption give the same images here and there. The
run's sentence encoder is built and loaded once, when the service is made; a lock keeps
one caption encoding at a time (a tokenizer is not documented as safe to share between
threads), while drawing images runs side by side like the unconditional service.

The walk between two captions mirrors the walk between seeds: `t` in [0, 1] picks a point
on the straight line from the first caption's sentence vector to the second's (the line
`ganforge generate --to` follows), the noise of the seed stays the same, and t = 0 and 1
give exactly the two captions' images.
"""

from __future__ import annotations

import json
import threading

import torch

from ganforge.sampling.captions import draw, encode_captions, noise
from ganforge.sampling.generator import LoadedGenerator
from ganforge.serve.interpolate import Method, interpolate
from ganforge.serve.schemas import MAX_CAPTION
from ganforge.serve.service import ModelDescription, RequestError, describe_run, freeze
from ganforge.text.blank import is_blank

# Encoded once at start-up: loads the encoder and checks its vector size against the model.
WARM_UP_CAPTION = "a picture"
EXAMPLES = 10  # captions offered by /api/info and the page, at most


def example_captions(loaded: LoadedGenerator, count: int = EXAMPLES) -> tuple[str, ...]:
    """The first distinct held-out captions of the run's sample grid (`fixed_captions` in its
    checkpoint's JSON); none when the checkpoint does not list them."""
    try:
        meta = json.loads(loaded.checkpoint.with_suffix(".json").read_text())
    except (OSError, ValueError):
        return ()
    captions = meta.get("fixed_captions") if isinstance(meta, dict) else None
    if not isinstance(captions, list):
        return ()
    usable = [c for c in captions if isinstance(c, str) and c.strip() and len(c) <= MAX_CAPTION]
    return tuple(dict.fromkeys(usable))[:count]


class TextService:
    """Images from a caption and a seed: the caption gives the sentence vector, the seed z."""

    conditional = True

    def __init__(self, loaded: LoadedGenerator):
        freeze(loaded.generator)
        self._loaded = loaded
        self._encoder_name = str(loaded.config.model.text_encoder)
        self._examples = example_captions(loaded)
        self._encode_lock = threading.Lock()
        self.encode(WARM_UP_CAPTION)

    def describe(self) -> ModelDescription:
        return describe_run(self._loaded, self._encoder_name, self._examples)

    def check_caption(self, caption: str | None, field: str = "caption") -> str:
        """The caption to draw; refuse a missing or blank one with the field's name."""
        if caption is None:
            raise RequestError(field, "this model is text-conditioned: send the caption to "
                               f"draw (1..{MAX_CAPTION} characters)")
        if is_blank(caption):
            raise RequestError(field, "the caption is empty or only spaces or other "
                               "invisible characters")
        return caption

    def encode(self, caption: str) -> torch.Tensor:
        """The sentence vector (1, E) of one caption, by the run's encoder."""
        with self._encode_lock:
            return encode_captions(self._loaded, [caption])

    def latents(self, n: int, seed: int) -> torch.Tensor:
        """The n noise vectors of a seed: the ones `ganforge generate --seed` draws."""
        return noise(self._loaded, n, seed)

    def decode(self, z: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """Images in [-1, 1], (N, C, H, W), from noise (N, latent_dim) and text (1 or N, E)."""
        with torch.inference_mode():
            return draw(self._loaded, text.expand(len(z), -1), z)

    def generate(self, n: int, seed: int, caption: str | None = None,
                 caption_to: str | None = None, t: float | None = None) -> torch.Tensor:
        """n images of the caption (one noise vector each, from the seed); with caption_to
        and t, the same noise at fraction t of the way from caption to caption_to."""
        caption = self.check_caption(caption)
        if caption_to is None and t is not None:
            raise RequestError("t", "only with caption_to: the fraction of the way from "
                               "caption to caption_to")
        if caption_to is not None:
            caption_to = self.check_caption(caption_to, "caption_to")
            if t is None:
                raise RequestError("t", "needed with caption_to: 0 gives caption's images, "
                                   "1 caption_to's")
        text = self.encode(caption)
        if caption_to is not None and t is not None:
            text = interpolate(text, self.encode(caption_to), t, "lerp")
        return self.decode(self.latents(n, seed), text)

    def interpolate(self, n: int, seed_a: int, seed_b: int, t: float, method: Method = "slerp",
                    caption: str | None = None) -> torch.Tensor:
        """n images of the caption at fraction t of the way from seed_a's noise to seed_b's."""
        text = self.encode(self.check_caption(caption))
        z = interpolate(self.latents(n, seed_a), self.latents(n, seed_b), t, method)
        return self.decode(z, text)
