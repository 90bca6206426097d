"""Request and response shapes of the `ganforge serve` API, with their limits.

Requests refuse unknown fields (`extra="forbid"`) and, for JSON bodies, values of the wrong
type (strict: `"n": "4"` or `"n": 4.0` is an error, not 4). FastAPI answers a violation with
422 and `{"detail": [{"loc": [...], "msg": ..., "type": ...}]}` (ganforge.serve.errors). Text
holding a lone surrogate (`"\\ud800"`, which Python's JSON parser lets through) is refused
by pydantic as `string_unicode` before any model sees it.

The class to draw is the field `class` (a Python keyword, so `class_name` in the models): a
name or an index as text (read as `ganforge sample --class` reads it: a class named "7" wins
over index 7), or a JSON integer: always an index.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

MAX_N = 64
MAX_SEED = 2**31 - 1
MAX_CAPTION = 300
MAX_CLASS = 4096  # characters of a class name (an archive's folder names have no 255 limit)
MAX_BODY_BYTES = 16 * 1024

ImageFormat = Literal["png", "json"]

_N = Field(16, ge=1, le=MAX_N, description=f"number of images, 1..{MAX_N}")
_FORMAT = Field(
    "png", description="png: one grid image (image/png); json: base64 PNG per image"
)


def _seed(description: str):
    return Field(ge=0, le=MAX_SEED, description=f"{description}, 0..{MAX_SEED}")


def _caption(description: str):
    return Field(None, max_length=MAX_CAPTION,
                 description=f"{description} (at most {MAX_CAPTION} characters, not blank)")


def _class_value(value: Any) -> str | int | None:
    """A class as sent: a name (text) or an index (a JSON integer, 0 or more; not a bool), or
    None; one error of its own for anything else."""
    if value is None or (type(value) is int and value >= 0):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("class_type", "Input should be a class name (text) or index "
                                  "(an integer, 0 or more)")
    if len(value) > MAX_CLASS:
        raise PydanticCustomError("string_too_long", f"String should have at most {MAX_CLASS} "
                                  "characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which Python's JSON parser lets through
        raise PydanticCustomError("string_unicode", "Input should be a valid string, unable "
                                  "to parse raw data as a unicode string") from None
    return value


ClassName = Annotated[
    str | int | None,
    PlainValidator(_class_value),
    WithJsonSchema({"anyOf": [{"type": "string", "maxLength": MAX_CLASS},
                              {"type": "integer", "minimum": 0}, {"type": "null"}]}),
]


def _class(description: str):
    return Field(None, alias="class", description=(
        f"class-conditional models: {description}: a name (as written first, then without "
        "spaces at its ends, then in any case, then as an index) or a JSON integer (an "
        "index); absent or null: each image's class comes from its noise"))


class GenerateRequest(BaseModel):
    """`POST /api/generate`: n images from a seed (and a caption, for text models; a class,
    if wanted, for class-conditional ones); with caption_to and t, the images part of the way
    from caption to caption_to."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    n: int = _N
    seed: int = _seed("latent seed: the same seed gives the same images")
    caption: str | None = _caption(
        "what to draw: required by a text-conditioned model, null for an unconditional one")
    caption_to: str | None = _caption(
        "text-conditioned models: the caption at the other end of a walk (needs t)")
    t: float | None = Field(
        None, ge=0.0, le=1.0,
        description="with caption_to: 0 = caption's images, 1 = caption_to's, same noise")
    class_name: ClassName = _class("the class of every image")
    format: ImageFormat = _FORMAT


class InterpolateQuery(BaseModel):
    """`GET /api/interpolate`: images part of the way between two seeds' latent points."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    seed_a: int = _seed("seed of the start point")
    seed_b: int = _seed("seed of the end point")
    t: float = Field(ge=0.0, le=1.0, description="0 = seed_a's images, 1 = seed_b's")
    n: int = Field(1, ge=1, le=MAX_N, description=f"number of walks side by side, 1..{MAX_N}")
    method: Literal["slerp", "lerp"] = Field("slerp", description="spherical or linear")
    caption: str | None = _caption(
        "what to draw: required by a text-conditioned model, absent for an unconditional one")
    class_name: ClassName = _class("the class held along every walk")
    format: ImageFormat = _FORMAT


class CaptionCheckResponse(BaseModel):
    """How close a caption is to the captions the model was trained on."""

    similarity: float = Field(description="cosine similarity of the caption's sentence vector "
                              "to the nearest training caption's")
    nearest: str = Field(description="that nearest training caption")
    threshold: float = Field(description="below it the caption is far from the training data")
    familiar: bool = Field(description="similarity >= threshold")


class ImagesResponse(BaseModel):
    """The `format: "json"` answer: one base64-encoded PNG per image."""

    images: list[str] = Field(description="base64-encoded PNG files, one per image")
    channels: int
    height: int
    width: int
    step: int = Field(description="training step of the checkpoint that drew them")
    caption_check: CaptionCheckResponse | None = Field(
        None, description="text-conditioned models: how close the caption (of a walk, the "
        "farther of the two) is to the training captions")


class Limits(BaseModel):
    max_n: int = MAX_N
    max_seed: int = MAX_SEED
    max_caption: int = MAX_CAPTION
    max_body_bytes: int = MAX_BODY_BYTES


class InfoResponse(BaseModel):
    """`GET /api/info`: the served model and the request limits."""

    kind: str = Field(description="unconditional, class-conditional or text-conditioned")
    conditional: bool
    arch: str
    dataset: str
    channels: int
    height: int
    width: int
    latent_dim: int
    noise: str
    step: int
    checkpoint: str
    text_encoder: str | None = Field(
        None, description="sentence encoder of the captions (text-conditioned models)")
    example_captions: list[str] = Field(
        default_factory=list, description="held-out captions of the run's sample grid "
        "(text-conditioned models), for a first try")
    classes: list[str] = Field(
        default_factory=list, description="class-conditional models: the class names, in the "
        "order of their indices (the values of a request's class)")
    about: str = Field("", description="the networks in plain words")
    trained_on: str = Field("", description="which data the model learned from")
    limits: Limits


class ErrorResponse(BaseModel):
    """A refused request other than a validation error (e.g. a body over the size limit)."""

    detail: str
