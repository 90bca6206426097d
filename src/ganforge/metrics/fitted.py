"""Fitted evaluators (`ganforge evaluator fit DATA`): where they are stored for a data set,
writing them, and finding and loading them again for `ganforge evaluate`.

An evaluator of kind K (classifier, contrastive, self-supervised) is two files, K.safetensors
(tensors only) and K.json (config, data set, seed, the command that reproduces it, its
figures on held-out real data, the SHA-256 of the tensor file, checked on loading). They are
looked for, in this order:

    the folder given (benchmarks and tests; `ganforge evaluate` looks only below)
    evaluator_path_for(data key)    the user cache, one folder per data set
    metrics/weights/NAME-K.*        shipped with ganforge for its built-in captioned sets
    evaluators/folder-*             a folder's: one fitted for the same files and splits at
                                    another path (moved, renamed, copied: fitted_moved)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from shlex import quote
from typing import TYPE_CHECKING, Any

from ganforge.errors import CheckpointError
from ganforge.fileio import (
    atomic_write_bytes,
    atomic_write_json,
    cache_root,
    check_output,
    sha256_file,
)
from ganforge.metrics.fitted_moved import find_moved
from ganforge.metrics.weights import weights_dir

MIN_TRAIN = 64  # training images: fewer, and the features mean nothing
MIN_TEST = 10  # test images: fewer, and the figures on held-out data mean nothing
NO_TEST_SPLIT = ("the run holds out no test split (--test-fraction 0), and evaluation needs "
                 "one: train with a --test-fraction above 0 (e.g. 0.1) to be scored")

if TYPE_CHECKING:
    from ganforge.metrics.contrastive import FittedEncoder

KINDS = ("classifier", "contrastive", "self-supervised")  # metrics.contrastive.KINDS
# the self-supervised recipe a record must carry to be loaded (metrics.self_supervised): 2,
# views and damage; a record without one is of recipe 1, views only
SELF_SUPERVISED_RECIPE = 2
# fit's default length: about this many steps of 256 images (24 epochs of synthetic-flowers'
# 7,169 training images; 8 for the self-supervised kind, whose steps see three views of each
# image), at most MAX_EPOCHS passes
STEPS = {"classifier": 400, "contrastive": 672, "self-supervised": 224}
MAX_EPOCHS = 30


def default_epochs(kind: str, images: int, batch: int = 256) -> int:
    """Passes over `images` training images that make about STEPS[kind] steps."""
    per_epoch = max(1, images // max(1, min(batch, images)))
    return max(1, min(MAX_EPOCHS, -(-STEPS[kind] // per_epoch)))
FORMAT = "ganforge-fitted-evaluator"


def data_key(data: str) -> str:
    """The key a data set's evaluators are stored under: a built-in set's registry name, or
    a folder's (or archive's) absolute path."""
    from ganforge.data.registry import data_sets, normalise

    name = normalise(str(data))
    if name in data_sets():
        return name
    return str(Path(data).expanduser().resolve())


def is_folder(key: str) -> bool:
    """Whether a data key (data_key) is a folder's (its absolute path), not a built-in set's."""
    return Path(key).is_absolute()


def evaluator_path_for(key: str) -> Path:
    """The folder of a data set's fitted evaluators in the user cache: evaluators/NAME for a
    built-in set, evaluators/folder-HASH for a folder (HASH: of its absolute path).

    This is the one place that decides it: when the folder reader exposes the folder of a
    folder's prepared data, the folder branch can point beside it instead."""
    root = cache_root() / "evaluators"
    if is_folder(key):
        return root / f"folder-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    return root / key


def shipped_stem(key: str, kind: str) -> Path:
    """metrics/weights/NAME-KIND (+ .json, .safetensors) of a built-in set's evaluator."""
    return weights_dir() / f"{key}-{kind}"


def check_fitted_folder(folder: Path) -> None:
    """Refuse in one line, before the data is loaded and an evaluator fitted, a folder its
    files cannot be written in: a file, a path under a file, a read-only place. Creates
    nothing."""
    for kind in KINDS:
        check_output(folder / f"{kind}.json")


def write_fitted(model: FittedEncoder, folder: Path, meta: dict[str, Any],
                 stem: str | None = None) -> dict[str, Any]:
    """FOLDER/KIND.safetensors, then FOLDER/KIND.json with its SHA-256 (both atomic); a
    self-supervised encoder's record says the recipe it was fitted by."""
    from safetensors.torch import save

    stem = stem or model.config.kind
    if model.config.kind == "self-supervised":
        meta = {**meta, "recipe": SELF_SUPERVISED_RECIPE}
    blob = save({k: v.detach().contiguous() for k, v in model.state_dict().items()})
    atomic_write_bytes(folder / f"{stem}.safetensors", blob)
    record = {"format": FORMAT, **meta, "config": model.config.to_dict(),
              "sha256": hashlib.sha256(blob).hexdigest()}
    atomic_write_json(folder / f"{stem}.json", record)
    return record


def read_record(path: Path) -> dict[str, Any]:
    """A fitted evaluator's JSON record, or a one-line CheckpointError."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no fitted evaluator here") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise CheckpointError(f"{path}: not a readable JSON record") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT or \
            not isinstance(record.get("config"), dict) or "sha256" not in record:
        raise CheckpointError(f"{path}: not a ganforge fitted evaluator record")
    return record


def check_recipe(path: Path, record: dict[str, Any]) -> None:
    """Refuse, in one line, a self-supervised evaluator fitted by an older recipe."""
    if record.get("kind", record["config"].get("kind")) != "self-supervised":
        return
    recipe = record.get("recipe", 1)
    if recipe != SELF_SUPERVISED_RECIPE:
        command = record.get("command", "ganforge evaluator fit DATA")
        raise CheckpointError(f"{path}: a self-supervised evaluator of recipe {recipe}; this "
                              f"ganforge reads recipe {SELF_SUPERVISED_RECIPE} only (views and "
                              f"damage, docs/evaluation.md): fit it again: {command}")


def load_fitted(json_path: Path) -> tuple[FittedEncoder, dict[str, Any]]:
    """The evaluator of a record (its tensor file checked by SHA-256), in eval mode, built
    in a forked RNG (the global torch RNG is left as it was)."""
    import torch
    from safetensors import SafetensorError
    from safetensors.torch import load

    from ganforge.metrics.contrastive import EncoderConfig, FittedEncoder

    record = read_record(json_path)
    check_recipe(json_path, record)
    tensors = json_path.with_suffix(".safetensors")
    if not tensors.is_file():
        raise CheckpointError(f"{tensors}: fitted evaluator tensor file missing")
    if sha256_file(tensors) != record["sha256"]:
        raise CheckpointError(f"{tensors}: SHA-256 mismatch with {json_path.name} (altered?)")
    try:
        config = EncoderConfig(**record["config"])
        with torch.random.fork_rng(devices=[]):
            model = FittedEncoder(config)
        model.load_state_dict(load(tensors.read_bytes()))
    except (TypeError, ValueError, RuntimeError, SafetensorError) as exc:
        raise CheckpointError(f"{json_path}: bad fitted evaluator ({str(exc)[:120]})") from None
    model.eval().requires_grad_(False)
    return model, record


def find_fitted(key: str, kinds: tuple[str, ...] = KINDS, folder: Path | str | None = None,
                prefer: Any = None) -> Path | None:
    """The JSON record of the first fitted evaluator of `key` of one of `kinds`: in `folder`,
    then the user cache, then the shipped ones (a folder: one fitted for the same data at
    another path, metrics.fitted_moved, one prepared as `prefer` first, a PrepareOptions);
    None when there is none."""
    places = [Path(folder)] if folder else []
    places.append(evaluator_path_for(key))
    for place in places:
        for kind in kinds:
            if (place / f"{kind}.json").is_file():
                return place / f"{kind}.json"
    if is_folder(key):  # the same data fitted for at another path (moved, copied)?
        return find_moved(key, kinds, evaluator_path_for(key), read_record, prefer)
    for kind in kinds:
        if shipped_stem(key, kind).with_suffix(".json").is_file():
            return shipped_stem(key, kind).with_suffix(".json")
    return None


def prepared_as(key: str, prefer: Any = None) -> Any:
    """How the fitted evaluator of folder `key` saw its images (a data.folder.prepare
    PrepareOptions, from its record; the defaults for a record that does not say), so its
    test and training splits are loaded the same way to score against; None for a built-in
    set or a folder with no fitted evaluator. `prefer`: how the run asking prepared it,
    preferred among evaluators of the same images fitted at another path (a moved folder)."""
    path = find_fitted(key, prefer=prefer) if is_folder(key) else None
    return None if path is None else record_options(path, read_record(path))


def record_options(path: Path, record: dict[str, Any]) -> Any:
    """The PrepareOptions a fitted evaluator's record (read from `path`) says it saw its
    folder's images by (the defaults where it does not say), or a one-line CheckpointError."""
    from ganforge.data.folder.prepare import PrepareOptions
    from ganforge.errors import DataError

    try:
        return PrepareOptions(**record.get("prepare", {}))
    except (TypeError, DataError) as exc:
        raise CheckpointError(f"{path}: bad preparation settings ({exc})") from None


def fit_advice(folder: str, options: Any = None) -> str:
    """How to get an evaluator for runs on `folder` prepared as `options` (a PrepareOptions;
    None: the defaults): the command that fits one, or why none can be fitted from it (no
    test split, or too few images), so that no message sends a user to a command that fails."""
    from ganforge.data.folder.prepare import PrepareOptions, prepare

    options = options or PrepareOptions()
    if options.test_fraction == 0:
        return NO_TEST_SPLIT
    manifest = prepare(folder, options, show=False).manifest
    counts = manifest["counts"]
    if counts["train"] < MIN_TRAIN or counts["test"] < MIN_TEST:
        fits = fraction_that_fits(manifest["items"])
        larger = f" (or --test-fraction {fits:g})" if fits is not None else ""
        return (f"the folder has {counts['train']} training and {counts['test']} test images, "
                f"and fitting an evaluator needs at least {MIN_TRAIN} and {MIN_TEST}: add "
                f"images{larger} to score its runs")
    return f"fit one with `ganforge evaluator fit {quote(str(folder))}{options.as_flags()}`"


def fraction_that_fits(items: list[dict[str, Any]]) -> float | None:
    """A test fraction (of 0.05, 0.1, ... 0.5) at which a folder's manifest items give enough
    training and test images to fit an evaluator, or None (every class keeps a training
    image, so a folder of one-image classes gives no test image at any fraction)."""
    from ganforge.data.folder.split import split_by_class

    names, labels = [i["name"] for i in items], [i["label"] for i in items]
    for fraction in (f / 20 for f in range(1, 11)):
        split = split_by_class(names, labels, fraction)[0]
        if split.count("train") >= MIN_TRAIN and split.count("test") >= MIN_TEST:
            return fraction
    return None


def refuse_unfitted_folder(folder: str, options: Any) -> None:
    """For a folder data set no evaluator is fitted for: MissingFolder when it is gone, else
    a ConfigError saying what to do: with `options` (how the run prepared it), fit_advice;
    without (samples with no run to say how the folder was read), the command with the
    image size left to the user."""
    from ganforge.data.registry import require_present
    from ganforge.errors import ConfigError

    require_present(folder)
    advice = fit_advice(folder, options) if options is not None else (
        f"fit one with `ganforge evaluator fit {quote(folder)} --image-size N`, N the size of "
        f"the images to score")
    raise ConfigError(f"no evaluator fitted for {folder} yet: {advice}")
