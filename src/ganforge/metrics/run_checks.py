"""What a run, or a data set's samples, must satisfy before anything is drawn and scored:
a folder's preparation as its fitted evaluator saw it, a test split large enough to score
against (and a note when the folder's files changed since its evaluator was fitted), and the
image shape samples must have."""

from __future__ import annotations

import sys
from typing import Any

from ganforge.data import load_dataset
from ganforge.data.registry import known
from ganforge.errors import CheckpointError, ConfigError, DataError
from ganforge.metrics.fitted import (
    data_key,
    find_fitted,
    fit_advice,
    is_folder,
    prepared_as,
    read_record,
    record_options,
)

MIN_SPLIT = 10  # real images a split must hold to be scored against (FD, KID, P/R)


def split_images(dataset: str, split: str, data_dir: str | None) -> Any:
    """The images of a split of `dataset` (a folder's prepared as its evaluator saw it), or
    one line when it holds too few to score against: a folder that has lost images, or whose
    small classes' held-out images went back into training, since its evaluator was fitted."""
    images = load_dataset(dataset, split, data_dir, text_encoder=None,
                          options=prepared_as(dataset)).images
    _refuse_too_few(dataset, split, len(images))
    return images


def _refuse_too_few(dataset: str, split: str, count: int) -> None:
    if count < MIN_SPLIT:
        raise ConfigError(f"{dataset}: its {split} split holds {count} image(s) now, "
                          f"at least {MIN_SPLIT} are needed to score against it (a class "
                          f"held out whole keeps its images for training); add images, or "
                          f"restore those the folder lost, and fit its evaluator again")


def check_folder(dataset: str, data_dir: str | None) -> None:
    """Before any drawing, for a folder (nothing for a built-in set): one line when its test
    split holds too few images to score against, and a note when its files are no longer
    those its evaluator was fitted on (the figures are then against the folder as it is)."""
    from ganforge.data.folder.prepare import split_counts

    key = data_key(dataset)
    path = find_fitted(key) if is_folder(key) else None
    if path is None:  # a built-in set, or a folder no evaluator is fitted for
        return
    record = read_record(path)  # as prepared_as reads it, once for both checks
    options = record_options(path, record)
    _refuse_too_few(key, "test", split_counts(key, options)["test"])  # images not read
    content = record.get("content")
    if isinstance(content, dict) and _listing(key) not in (None, content.get("listing")):
        print(f"note: {key}: its files are not those its evaluator was fitted on (names or "
              f"sizes differ), and the figures are against the folder as it is now; for an "
              f"evaluator of these images, {fit_advice(key, options)}", file=sys.stderr)


def _listing(key: str) -> str | None:
    """The folder's listing digest (data.folder.identity), None when it cannot be listed."""
    from ganforge.data.folder.identity import listing_digest

    try:
        return listing_digest(key)
    except DataError:
        return None


def check_preparation(cfg: Any) -> None:
    """A run on a folder is scored in the evaluator fitted for that folder, against its
    splits prepared as the evaluator saw them: refuse, in one line with the command that
    fits a matching one (or why none can be fitted, fit_advice), a run whose folder was
    prepared otherwise (another image size, squaring or test split, or other channels)."""
    from ganforge.data.prepare_options import run_options

    key, run = data_key(cfg.data.dataset), run_options(cfg)
    fitted = prepared_as(key, prefer=run)
    if fitted is None:
        return
    said = [(name, getattr(run, name), getattr(fitted, name))
            for name in ("image_size", "fit", "test_fraction")
            if getattr(run, name) != getattr(fitted, name)]
    if run.channels != fitted.channels:  # the same unless one is forced and differs
        channels, mine = sample_shape(key)[0], _channels_prepared(key, run)
        if mine != channels:
            said.append(("channels", mine, channels))
    if said:
        differ = ", ".join(f"{n.replace('_', ' ')} {mine} (the evaluator's: {theirs})"
                           for n, mine, theirs in said)
        raise ConfigError(f"the run prepared {key} otherwise than its fitted evaluator: "
                          f"{differ}; {fit_advice(key, run)}")


def _channels_prepared(key: str, options: Any) -> int:
    """The channels of the folder `key` prepared as `options` say: the forced ones, else the
    folder's own (grey when every image is; read from its preparation, cached)."""
    if options.channels is not None:
        return options.channels
    from ganforge.data.folder.prepare import prepare

    return int(prepare(key, options).manifest["channels"])


def sample_shape(key: str) -> tuple[int, int]:
    """(channels, size) of the images scored as data set `key`: its registry entry's shape,
    or the shape its fitted evaluator was fitted on."""
    entry = known(key)
    shape = tuple(entry.image_shape) if entry is not None else ()
    if entry is None or entry.evaluator is None:
        path = find_fitted(key)
        shape = tuple(read_record(path).get("image_shape", shape)) if path else shape
        if not shape:  # ganforge writes it in every record
            raise CheckpointError(f"{path}: the record does not say its image shape")
    shape = (1, *shape) if len(shape) == 2 else shape
    return int(shape[0]), int(shape[-1])
