"""Assembling the service of `ganforge serve`: the run's condition (the model registry's
`condition_of`) picks the input that turns a request into the generator's condition."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ganforge.model_configs import Condition, condition_of
from ganforge.sampling.generator import LoadedGenerator, load_generator
from ganforge.serve.inputs import CaptionInput, ClassInput, NoiseInput
from ganforge.serve.service import ConditionInput, Service

# What a request adds to the noise, by the run's condition: nothing, a class (or none: the
# generator picks it from the noise), or a caption.
CONDITION_INPUTS: dict[Condition, Callable[[LoadedGenerator, Sequence[str | Path]],
                                           ConditionInput]] = {
    "none": NoiseInput, "class": ClassInput, "text": CaptionInput,
}


def load_service(path: Path | str, encoder_dirs: Sequence[str | Path] = ()) -> Service:
    """Load the run folder, checkpoint or pretrained name once and wrap it in a service with
    the input of its condition (a text-to-image run's encoder: built in, or one of
    `encoder_dirs`)."""
    loaded = load_generator(path)
    condition = CONDITION_INPUTS[condition_of(loaded.config.model)](loaded, encoder_dirs)
    return Service(loaded, condition)
