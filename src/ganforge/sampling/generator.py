"""Rebuild a generator from a checkpoint (config alone, no pickles) and draw samples."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from torch import nn

from ganforge.config import RunConfig
from ganforge.data.fingerprint import recorded_classes
from ganforge.errors import CheckpointError, ConfigError
from ganforge.model_configs import condition_of
from ganforge.models import build_models
from ganforge.models.dcgan28 import code_of
from ganforge.pretrained.store import NAME_PATTERN, entry_path, known_names
from ganforge.runs.checkpoint import (
    newest_checkpoint,
    read_checkpoint,
    saved_config,
    sub_state,
)
from ganforge.sampling.draw import draw_images, seeded_noise

ExportFormat = Literal["png", "npz", "png-dir"]


@dataclass
class LoadedGenerator:
    generator: nn.Module
    config: RunConfig
    checkpoint: Path
    step: int
    ema: bool = False  # the weights are the EMA of G's (the run used --ema)
    classes: tuple[str, ...] | None = None  # the class names it was trained with, if recorded
    sha256: str | None = None  # the checkpoint's tensor file digest


def load_generator(path: Path | str) -> LoadedGenerator:
    """Load G from a run folder (its newest checkpoint), a checkpoint file or the name of a
    shipped pretrained generator ("best-fashion"; a path that exists wins); the EMA weights
    (`generator_ema.*`) when the run kept them, else the trained ones."""
    path = _existing_or_pretrained(path)
    if path.is_dir():
        path = newest_checkpoint(path)
    meta, tensors = read_checkpoint(path)  # config and tensor shapes checked before building
    config = saved_config(meta, path)
    generator, _ = build_models(config.model)
    ema = any(k.startswith("generator_ema.") for k in tensors)
    try:
        generator.load_state_dict(sub_state(tensors, "generator_ema" if ema else "generator"))
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()[0]
        raise CheckpointError(
            f"{path}: weights do not fit the model in its config ({first})"
        ) from None
    generator.eval()
    return LoadedGenerator(generator, config, path, int(meta.get("step", 0)), ema,
                           classes=recorded_classes(meta), sha256=meta.get("sha256"))


def load_pretrained(name: str, folder: Path | str | None = None) -> LoadedGenerator:
    """Shipped generator `name` (of `folder`, default the shipped ones) rebuilt on the CPU
    from its config and verified weights, in eval mode; the same object `load_generator`
    gives for a run."""
    return load_generator(entry_path(name, folder))


def _existing_or_pretrained(source: Path | str) -> Path:
    """`source` as a path when it exists, else the checkpoint record of the pretrained
    generator of that name (verified once, when loaded), else one line naming both kinds of
    source."""
    path = Path(source)
    if path.exists():
        return path
    names = known_names()
    if str(source) in names:
        return entry_path(str(source))
    hint = f", nor a pretrained generator ({', '.join(names)})" \
        if NAME_PATTERN.fullmatch(str(source)) else ""
    raise CheckpointError(f"{path}: no such run folder or checkpoint{hint}")


@torch.no_grad()
def generate(
    loaded: LoadedGenerator, n: int, seed: int = 0, batch_size: int = 1000,
    class_name: str | None = None, code: int | None = None,
) -> torch.Tensor:
    """n images in [-1, 1], (n, C, H, W); the same seed gives the same images. A
    class-conditional generator (arch cdcgan28, cdcgan) draws only `class_name` (a name or an
    index of its data set's classes) when given one; a generator with an InfoGAN code (dcgan28
    --codes N) only the code `code` (0..N-1) when given one."""
    if n < 1:
        raise ConfigError(f"n must be at least 1, got {n}")
    model = loaded.config.model
    z = seeded_noise(n, model.latent_dim, loaded.config.train.noise, seed)
    if code is not None:
        z = with_code(z, model.latent_code()[0], code)
    cond = None if class_name is None else \
        class_index(loaded.config, class_name, loaded.classes).expand(n)
    return draw_images(loaded.generator, z, cond, batch_size)


def with_code(z: torch.Tensor, codes: int, code: int) -> torch.Tensor:
    """`z` with, in each row, its largest of the first `codes` entries swapped into place
    `code`: G then reads that code (models.dcgan28.code_of), and z stays a draw of the same
    noise (its entries permuted)."""
    if codes == 0:
        raise ConfigError("--code needs a generator trained with an InfoGAN code (dcgan28 "
                          "--codes N, e.g. best-uncond-mnist)")
    if not 0 <= code < codes:
        raise ConfigError(f"--code must be in 0..{codes - 1} (the generator reads {codes} "
                          f"codes), got {code}")
    z = z.clone()
    rows = torch.arange(len(z))
    top = code_of(z, codes)
    z[rows, top], z[rows, code] = z[rows, code], z[rows, top]
    return z


def class_names(config: RunConfig) -> tuple[str, ...]:
    """The class names of a run's data set: a built-in set's, or a folder's subfolders (read
    from its preparation, as the run prepared it)."""
    from ganforge.data import load_dataset
    from ganforge.data.prepare_options import run_options
    from ganforge.data.registry import get_spec, lookup

    if lookup(config.data.dataset).path is None:
        return get_spec(config.data.dataset).classes
    return load_dataset(config.data.dataset, "test", config.data.data_dir, limit=0,
                        text_encoder=None, options=run_options(config)).classes


def class_index(config: RunConfig, name: str, classes: tuple[str, ...] | None = None
                ) -> torch.Tensor:
    """The class `name` (or its index) of a class-conditional run's data set, as a 0-d tensor;
    a one-line ConfigError for another kind of run or an unknown class. `classes`: the names
    the run was trained with (its checkpoint's record); None: its data set's names now."""
    if condition_of(config.model) != "class":
        raise ConfigError(f"--class needs a class-conditional generator (arch cdcgan28 or "
                          f"cdcgan); this one is {config.model.arch}")
    classes = class_names(config) if classes is None else classes
    classes = classes[: config.model.num_classes]  # a folder that gained classes since
    index = find_class(name, classes)
    if index is not None:
        return torch.tensor(index)
    twins = ambiguity(name, classes)
    if twins:
        raise ConfigError(f"class {name!r} of {config.data.dataset} {twins}")
    raise ConfigError(f"unknown class {name!r} of {config.data.dataset} (known: "
                      f"{', '.join(classes)}, or their index 0..{len(classes) - 1})")


def find_class(name: str, classes: tuple[str, ...]) -> int | None:
    """The index of class `name`: the name exactly as written first, then the one name equal
    to it without spaces at its ends and in Unicode NFC (a folder named on macOS matches a
    name typed elsewhere), then the one name equal in any case, then an index; None when
    nothing matches (or two names do: `ambiguous_class` says which)."""
    if name in classes:
        return classes.index(name)
    for same in (_folded, lambda text: _folded(text).casefold()):
        matches = [i for i, c in enumerate(classes) if same(c) == same(name)]
        if len(matches) == 1:
            return matches[0]
    wanted = name.strip()
    if wanted.isascii() and wanted.isdigit() and int(wanted) < len(classes):
        return int(wanted)
    return None


def ambiguous_class(name: str, classes: tuple[str, ...]) -> tuple[str, ...]:
    """The classes `name` matches but cannot pick between (equal to it in any case, or up
    to spaces and Unicode form, and none exactly): empty when it picks one or none."""
    if find_class(name, classes) is not None:
        return ()
    return tuple(c for c in classes if _folded(c).casefold() == _folded(name).casefold())


def ambiguity(name: str, classes: tuple[str, ...]) -> str:
    """What to say of `name` when it matches several classes ("could be any of ...: give one
    exactly as written, or its index (...)"), else ""."""
    twins = ambiguous_class(name, classes)
    if not twins:
        return ""
    return (f"could be any of {', '.join(repr(c) for c in twins)}: give one exactly as "
            f"written, or its index ({', '.join(str(classes.index(c)) for c in twins)})")


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def export_format(out: Path | str, fmt: ExportFormat | None = None) -> ExportFormat:
    """The format images go to `out` in: `fmt`, else npz for an .npz name and a grid image
    otherwise; one line for a grid name of no image format, an archive named as something
    else, or a PNG folder that already holds files (checked before anything is drawn)."""
    from ganforge.viz import check_png_dir, grid_format

    suffix = Path(out).suffix.lower()
    fmt = fmt or ("npz" if suffix == ".npz" else "png")
    if fmt == "npz" and suffix not in ("", ".npz"):
        raise ConfigError(f"{out}: --format npz writes a NumPy archive; give it an .npz name "
                          f"(not {suffix})")
    if fmt == "png":
        grid_format(out)
    elif fmt == "png-dir":
        check_png_dir(out)  # a new or empty folder only
    return fmt


def export_images(images: torch.Tensor, out: Path | str, fmt: ExportFormat | None = None,
                  nrow: int | None = None) -> Path:
    """Write images as one grid image (PNG, or JPEG or WebP by the name's suffix), an npz
    (uint8 `images`, N x H x W [x C]) or a PNG folder; `fmt` None: from the name (.npz or a
    grid)."""
    from ganforge.fileio import atomic_write_bytes
    from ganforge.viz import save_grid, save_png_dir, to_uint8

    out = Path(out)
    fmt = export_format(out, fmt)
    if fmt == "png":
        save_grid(images, out, nrow=nrow)
    elif fmt == "npz":
        import io

        buffer = io.BytesIO()
        np.savez_compressed(buffer, images=to_uint8(images))
        atomic_write_bytes(out, buffer.getvalue())
    elif fmt == "png-dir":
        save_png_dir(images, out)
    else:
        raise ConfigError(f"unknown format {fmt!r} (known: png, npz, png-dir)")
    return out
