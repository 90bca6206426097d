"""The condition inputs of `ganforge serve`: what a request adds to the seed's noise.

`NoiseInput`: nothing (an unconditional run); a caption or a class is refused.
`ClassInput`: a class-conditional run: the class to draw, by name or index (the rule of
`ganforge sample --class`, ganforge.sampling.generator.find_class), or none, and the generator
picks each image's class from its noise, as `ganforge sample` does without --class.
`CaptionInput`: the caption, encoded by the run's own sentence encoder with the functions behind
`ganforge generate` (ganforge.sampling.captions), so a seed and a caption give the same images
here and there. The encoder is built and loaded once, when the input is made; a lock keeps one
caption encoding at a time (a tokenizer is not documented as safe to share between threads),
while drawing images runs side by side.

The walk between two captions mirrors the walk between seeds: `t` in [0, 1] picks a point on
the straight line from the first caption's sentence vector to the second's (the line
`ganforge generate --to` follows), the noise of the seed stays the same, and t = 0 and 1 give
exactly the two captions' images.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

import torch

from ganforge.sampling.captions import encode_captions
from ganforge.sampling.generator import LoadedGenerator, find_class
from ganforge.serve.classes import index_of, refuse_class, served_classes, unknown_class
from ganforge.serve.familiar import CaptionCheck, build_bank
from ganforge.serve.interpolate import interpolate
from ganforge.serve.schemas import MAX_CAPTION
from ganforge.serve.service import RequestError
from ganforge.text.blank import is_blank
from ganforge.text.encoders import checkpoint_encoder

# Encoded once at start-up: loads the encoder and checks its vector size against the model.
WARM_UP_CAPTION = "a picture"
EXAMPLES = 10  # captions offered by /api/info and the page, at most
TEXT_NOT_CLASS = ("this model is text-conditioned, not class-conditional: describe the class "
                  "in the caption and leave class out")


class NoiseInput:
    """Noise alone: every caption field and a class are refused."""

    kind = "unconditional"
    conditional = False
    text_encoder = None
    example_captions: tuple[str, ...] = ()
    class_names: tuple[str, ...] = ()

    def __init__(self, loaded: LoadedGenerator, encoder_dirs: Sequence[str | Path] = ()):
        del loaded, encoder_dirs  # nothing to read: the noise is the whole input

    def class_of(self, class_name: str | int | None) -> torch.Tensor | None:
        """The class indices (1,) to draw; None: the generator reads the noise alone."""
        refuse_class(class_name, "this model is unconditional: it draws no chosen class; "
                     "leave class out")
        return None

    def for_generate(self, caption: str | None, caption_to: str | None,
                     t: float | None, class_name: str | int | None = None) -> torch.Tensor | None:
        self.for_walk(caption)
        if caption_to is not None:
            raise RequestError("caption_to", "this model is not text-conditioned; walk between "
                               "seeds with GET /api/interpolate")
        if t is not None:
            raise RequestError("t", "only with caption_to, for a text-conditioned model; walk "
                               "between seeds with GET /api/interpolate")
        return self.class_of(class_name)

    def for_walk(self, caption: str | None, class_name: str | int | None = None
                 ) -> torch.Tensor | None:
        if caption is not None:
            raise RequestError(
                "caption", "this model is not text-conditioned; send caption null or leave it out"
            )
        return self.class_of(class_name)

    def checked(self, caption: str | None, caption_to: str | None, t: float | None,
                class_name: str | int | None = None) -> tuple[torch.Tensor | None, None]:
        return self.for_generate(caption, caption_to, t, class_name), None

    def walk_checked(self, caption: str | None, class_name: str | int | None = None
                     ) -> tuple[torch.Tensor | None, None]:
        return self.for_walk(caption, class_name), None


class ClassInput(NoiseInput):
    """The noise and, when the request names one, the class to draw (its name or index, as
    `ganforge sample --class` reads it); without a class the generator picks each image's
    class from its noise. Caption fields are refused."""

    kind = "class-conditional"
    conditional = True

    def __init__(self, loaded: LoadedGenerator, encoder_dirs: Sequence[str | Path] = ()):
        del encoder_dirs  # no text: the class names are the whole vocabulary
        self.class_names = served_classes(loaded)

    def class_of(self, class_name: str | int | None) -> torch.Tensor | None:
        if class_name is None:
            return None
        if isinstance(class_name, int):  # a JSON integer: an index, never a name
            return torch.tensor([index_of(class_name, self.class_names)])
        index = find_class(class_name, self.class_names)
        if index is None:
            raise RequestError("class", unknown_class(class_name, self.class_names))
        return torch.tensor([index])


class CaptionInput:
    """A caption (and for the walk, a second caption and t) by the run's sentence encoder:
    a built-in one, or one of `encoder_dirs` (the folders named with --text-encoder-dir)."""

    kind = "text-conditioned"
    conditional = True
    class_names: tuple[str, ...] = ()  # a class is named in the caption, not apart

    def __init__(self, loaded: LoadedGenerator, encoder_dirs: Sequence[str | Path] = ()):
        checkpoint_encoder(loaded.config.model.text_encoder, encoder_dirs, loaded.checkpoint)
        self._loaded = loaded
        self.text_encoder = str(loaded.config.model.text_encoder)
        self.example_captions = example_captions(loaded)
        self._encode_lock = threading.Lock()
        self.encode(WARM_UP_CAPTION)
        self.bank = build_bank(loaded)  # training captions, for how familiar a caption is

    def encode(self, caption: str) -> torch.Tensor:
        """The sentence vector (1, E) of one caption, by the run's encoder."""
        with self._encode_lock:
            return encode_captions(self._loaded, [caption])

    def checked(self, caption: str | None, caption_to: str | None, t: float | None,
                class_name: str | int | None = None) -> tuple[torch.Tensor, CaptionCheck | None]:
        """The caption's vector (with caption_to and t, the point at fraction t of the way)
        and how close the farther of the two captions is to the training captions."""
        refuse_class(class_name, TEXT_NOT_CLASS)
        caption = checked_caption(caption)
        if caption_to is None and t is not None:
            raise RequestError("t", "only with caption_to: the fraction of the way from "
                               "caption to caption_to")
        if caption_to is not None:
            caption_to = checked_caption(caption_to, "caption_to")
            if t is None:
                raise RequestError("t", "needed with caption_to: 0 gives caption's images, "
                                   "1 caption_to's")
        text = self.encode(caption)
        check = self.bank.check(text)
        if caption_to is not None and t is not None:
            text_to = self.encode(caption_to)
            check_to = self.bank.check(text_to)
            if check is not None and check_to is not None and \
                    check_to.similarity < check.similarity:
                check = check_to
            text = interpolate(text, text_to, t, "lerp")
        return text, check

    def for_generate(self, caption: str | None, caption_to: str | None,
                     t: float | None, class_name: str | int | None = None) -> torch.Tensor:
        """The caption's vector; with caption_to and t, the point at fraction t of the way."""
        return self.checked(caption, caption_to, t, class_name)[0]

    def walk_checked(self, caption: str | None, class_name: str | int | None = None
                     ) -> tuple[torch.Tensor, CaptionCheck | None]:
        refuse_class(class_name, TEXT_NOT_CLASS)
        text = self.encode(checked_caption(caption))
        return text, self.bank.check(text)

    def for_walk(self, caption: str | None, class_name: str | int | None = None) -> torch.Tensor:
        return self.walk_checked(caption, class_name)[0]


def checked_caption(caption: str | None, field: str = "caption") -> str:
    """The caption to draw; refuse a missing or blank one with the field's name."""
    if caption is None:
        raise RequestError(field, "this model is text-conditioned: send the caption to "
                           f"draw (1..{MAX_CAPTION} characters)")
    if is_blank(caption):
        raise RequestError(field, "the caption is empty or only spaces or other "
                           "invisible characters")
    return caption


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
