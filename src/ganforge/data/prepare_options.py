"""How a folder data set becomes arrays: image size, squaring, channels, test split
(`PrepareOptions`), and the options a run's settings give (`run_options`). Apart from the
folder reader, so that every part of ganforge that loads a run's folder (the captions held
out for its grid and its evaluation too) prepares it as the run did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ganforge.errors import DataError


@dataclass(frozen=True)
class PrepareOptions:
    """How a folder's images become the array: size, squaring, channels, split."""

    image_size: int = 64
    fit: Literal["crop", "pad"] = "crop"
    channels: int | None = None  # None: 1 when every image is grey, else 3
    test_fraction: float = 0.1
    classes: bool = True  # class subfolders give labels

    def __post_init__(self) -> None:
        if isinstance(self.image_size, bool) or not isinstance(self.image_size, int):
            raise DataError(f"image size must be a whole number, got {self.image_size!r}")
        if self.fit not in ("crop", "pad"):
            raise DataError(f"fit must be 'crop' or 'pad', got {self.fit!r}")
        if not 8 <= self.image_size <= 256:
            raise DataError(f"image size must be 8 to 256, got {self.image_size}")
        if self.channels not in (None, 1, 3):
            raise DataError(f"channels must be 1 or 3, got {self.channels}")
        if not 0 <= self.test_fraction <= 0.5:
            raise DataError(f"test fraction must be 0 to 0.5, got {self.test_fraction}")

    def as_flags(self) -> str:
        """The command-line options that prepare a folder this way (defaults left out),
        e.g. " --image-size 32 --channels 1"."""
        default, flags = PrepareOptions(), ""
        for name in ("image_size", "fit", "channels", "test_fraction"):
            if getattr(self, name) != getattr(default, name):
                flags += f" --{name.replace('_', '-')} {getattr(self, name)}"
        return flags


def run_options(config: Any) -> PrepareOptions:
    """How a folder data set is prepared for a run of `config` (a RunConfig): its [data]
    settings, the image size defaulting to the model's (its fixed size, or the
    architecture's usual one). Training, evaluation and the held-out captions all use it.
    A size the architecture cannot be built for is refused here, before anything is read."""
    d, model = config.data, config.model
    size = d.image_size or model.fixed_image_size or getattr(model, "default_image_size", 64)
    model.refuse_image_size(size)
    return PrepareOptions(image_size=size, fit=d.fit, channels=d.channels,
                          test_fraction=d.test_fraction)
