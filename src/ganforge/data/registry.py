"""The data sets ganforge knows. Each is one registry entry (DataSet) naming the functions
that load a split, check its files and find it for `ganforge data list`; the sets made of four
IDX files are built from their file specs (DATASETS, in idx_specs.py: file names, checksums,
shapes, classes and mirrors).

The functions are named "module:function" and imported only when called, so this module and
`ganforge data list` stay light (no torch). A new data set is one entry here.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ganforge.data.idx_specs import DATASETS, DatasetSpec
from ganforge.errors import DataError


def normalise(name: str) -> str:
    """A data set's registry key: case-insensitive, ``_`` accepted for ``-``."""
    return name.strip().lower().replace("_", "-")


def unknown(name: str) -> DataError:
    """The error for a name no entry has: every known set, and that a folder path works."""
    return DataError(f"unknown data set {name!r}; known data sets: "
                     f"{', '.join(data_sets())}; or the path of a folder (or .zip/.tar) of "
                     "images (docs/data.md)")


def get_spec(name: str) -> DatasetSpec:
    """Return the file spec of IDX data set ``name`` (case-insensitive, ``_`` for ``-``)."""
    spec = DATASETS.get(normalise(name))
    if spec is None:
        raise unknown(name)
    return spec


@dataclass(frozen=True)
class DataSet:
    """A data set's registry entry. Its functions, each "module:function", take the entry:

        load(entry, split, data_dir, limit, verify, text_encoder) -> ImageData
        check(entry, data_dir) -> the `ganforge data check` report of each file
        find(entry, rows, data_dir) -> (found, location) for `ganforge data list`, given the
                                       rows of the sets listed before it
        make(out, log=...) -> the folder written by `ganforge data make` (None: not drawn)
        download(entry, captions, log) -> None: `ganforge data download` (None: not offered;
                                       ``captions``: the caption archive a captioned set
                                       takes, or None)
        recombined(encoder) -> (vectors (M, E), levels (M, A)) of captions of attribute
                               combinations no class has (the text objective's
                               recombine_weight; None: the set makes none)
        renders(n, seed, new_only) -> (images (n, C, H, W) uint8, levels (n, A)) of images of
                               any attribute combination, drawn for the evaluator's
                               attribute heads (`ganforge evaluator refit`; None: the set
                               draws none)

    ``base`` is the IDX set it is built from (its files are the ones checked); a captioned set
    (its splits carry captions) names the data set whose evaluator scores its images.
    ``evaluator`` is the shipped evaluator that scores the set's images (None: none ships;
    `ganforge evaluator fit` fits one); ``metrics``, ``eval_samples`` and ``per_channel``
    say how `ganforge evaluate` scores them (None: the class metrics; each image channel a
    sample of its own for a one-channel evaluator: stacked MNIST).
    """

    name: str
    load: str
    check: str
    find: str
    sizes: tuple[int, int]  # items of the train and test splits
    image_shape: tuple[int, ...]
    classes: int
    base: str | None = None
    captioned: bool = False
    scored_as: str | None = None
    make: str | None = None
    download: str | None = None
    recombined: str | None = None
    renders: str | None = None
    evaluator: str | None = None
    composed: str | None = None  # "module:NAME" of a composed set's captioned.Vocabulary
    unseen: tuple[tuple[str, str], ...] = ()  # kind -> "module:function" (data/unseen.py)
    metrics: tuple[str, ...] | None = None
    eval_samples: int = 10_000
    per_channel: bool = False
    path: str | None = None  # a folder data set's folder or archive
    options: Any = None  # how a folder is prepared (data.folder.prepare.PrepareOptions)


IDX_LOAD = "ganforge.data.dataset:load_idx"
IDX_CHECK = "ganforge.data.locate:check_idx"


def idx_set(spec: DatasetSpec) -> DataSet:
    """The entry of an IDX data set of DATASETS."""
    return DataSet(spec.name, IDX_LOAD, IDX_CHECK, "ganforge.data.locate:find_idx",
                   (spec.train_images.shape[0], spec.test_images.shape[0]),
                   spec.train_images.shape[1:], len(spec.classes),
                   download="ganforge.data.locate:download_idx", evaluator=spec.name)


def _composed(name: str, base: str, vocabulary: str) -> DataSet:
    return DataSet(name, "ganforge.data.captioned.sets:load_composed", IDX_CHECK,
                   "ganforge.data.captioned.sets:find_composed", (60000, 10000), (1, 28, 28),
                   10, base=base, captioned=True, scored_as=base,
                   composed=f"ganforge.data.captioned.vocabularies:{vocabulary}",
                   unseen=(("new_orders", "ganforge.data.captioned.unseen_orders:new_orders"),))


def _oxford(name: str, module: str, load: str, check: str, find: str, **more: Any) -> DataSet:
    """A captioned set in the Oxford 102 layout (64x64 RGB, 102 classes)."""
    return DataSet(name, f"{module}:{load}", f"{module}:{check}", f"{module}:{find}",
                   (7169, 1020), (3, 64, 64), 102, captioned=True, scored_as=name,
                   evaluator=name, **more)


FLOWER_MAKERS = "ganforge.data.synthetic_flowers.unseen_makers"

# The data sets that are not four IDX files, in `ganforge data list` order (after DATASETS).
OTHER_SETS: dict[str, DataSet] = {
    "stacked-mnist": DataSet("stacked-mnist", "ganforge.data.stacked:load_stacked", IDX_CHECK,
                             "ganforge.data.stacked:find_stacked", (60000, 10000), (3, 28, 28),
                             1000, base="mnist", evaluator="mnist", per_channel=True,
                             metrics=("stacked_modes",), eval_samples=26_000),  # modes hit
    "mnist-captions": _composed("mnist-captions", "mnist", "MNIST"),
    "fashion-mnist-captions": _composed("fashion-mnist-captions", "fashion-mnist", "FASHION"),
    "flowers102": _oxford("flowers102", "ganforge.data.captioned.sets", "load_flowers102",
                          "check_flowers102", "find_flowers102",
                          download="ganforge.data.flowers102:download"),
    "synthetic-flowers": _oxford("synthetic-flowers", "ganforge.data.synthetic_flowers.load",
                                 "load_split", "check", "find",
                                 make="ganforge.data.synthetic_flowers.make:make",
                                 recombined="ganforge.data.synthetic_flowers.recombined:"
                                            "recombined_bank",
                                 renders="ganforge.data.synthetic_flowers.renders:renders",
                                 unseen=tuple((kind, f"{FLOWER_MAKERS}:{kind}") for kind in (
                                     "new_orders", "new_combinations", "whole_species",
                                     "new_words"))),
}


# Data sets added by user code (register_dataset), after the built-in ones.
_REGISTERED: dict[str, DataSet] = {}

FOLDER = "ganforge.data.folder.load"
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")


def data_sets() -> dict[str, DataSet]:
    """Every data set's entry by key, in `ganforge data list` order (registered ones last)."""
    return {**{key: idx_set(spec) for key, spec in DATASETS.items()}, **OTHER_SETS,
            **_REGISTERED}


# Sets ganforge writes as a plain folder of images and captions, trained through the folder
# path (docs/data.md); `ganforge data make NAME`.
FOLDER_MAKERS: dict[str, str] = {"emoji": "ganforge.data.emoji:make"}


def makers() -> dict[str, str]:
    """`ganforge data make`'s table: name -> "module:function"(out, log=...)."""
    return {**{k: v.make for k, v in data_sets().items() if v.make}, **FOLDER_MAKERS}


def register_dataset(entry: DataSet, *, replace_existing: bool = False) -> DataSet:
    """Add a data set (from a notebook or a plugin module) under `entry.name`; every command
    and function that takes a data set name then knows it. A built-in name is refused, and
    a registered one unless `replace_existing`."""
    key = normalise(entry.name)
    if key in DATASETS or key in OTHER_SETS:
        raise DataError(f"data set {entry.name!r} is built in; choose another name")
    if key in _REGISTERED and not replace_existing:
        raise DataError(f"data set {entry.name!r} is already registered")
    resolve(entry.load)  # fail now, not at the first load, if the loader does not exist
    _REGISTERED[key] = entry
    return entry


def unregister_dataset(name: str) -> None:
    """Remove a data set added by register_dataset (no error if it is not there)."""
    _REGISTERED.pop(normalise(name), None)


def looks_like_path(name: str) -> bool:
    """Whether a data set name is meant as a folder or archive path."""
    return "/" in name or "\\" in name or name.startswith(("~", ".")) or \
        name.lower().endswith(ARCHIVE_SUFFIXES) or Path(name).is_dir()


USER_CACHE = "~/.cache/ganforge/"


def anchored_name(name: str) -> str:
    """A folder or archive data set's name as its absolute path (`~` and a relative path
    resolved now), so a run that keeps it reads the same data from any working folder; a
    known set's name as it is. A path under `~/.cache/ganforge/` (as the t2i-emoji preset
    names the emoji set) is under ganforge's user cache, `$XDG_CACHE_HOME/ganforge` when set."""
    if known(name) is not None and Path(name).is_dir():  # the built-in set is meant
        print(f"note: {name!r} is ganforge's built-in data set; for the folder {name!r} here, "
              f"give it as ./{name}", file=sys.stderr)
    if known(name) is not None or not looks_like_path(name):
        return name
    if name.startswith(USER_CACHE):  # a preset's set in the user cache, wherever that is
        from ganforge.fileio import cache_root

        return str(cache_root() / name[len(USER_CACHE):])
    return str(Path(name).expanduser().resolve())


def require_present(name: str) -> None:
    """A folder or archive data set that is gone (moved, renamed, deleted) is one line
    (MissingFolder), before anything is drawn or scored against it."""
    from ganforge.errors import MissingFolder

    if looks_like_path(name) and not Path(name).expanduser().exists():
        raise MissingFolder(f"{name}: no such folder or archive (the data set the run is "
                            f"scored against; a folder that moved: --dataset NEW/PATH)")


def folder_set(path: str, options: Any = None) -> DataSet:
    """The entry of the folder or archive at `path` (prepared as `options` say)."""
    return DataSet(path, f"{FOLDER}:load_split", f"{FOLDER}:check", f"{FOLDER}:find",
                   (0, 0), (), 0, scored_as=path, path=path, options=options)


def lookup(name: str, options: Any = None) -> DataSet:
    """The entry of data set ``name`` (case-insensitive, ``_`` for ``-``), or of the folder
    or archive ``name`` is the path of (prepared as ``options`` say), or a DataError."""
    entry = data_sets().get(normalise(name))
    if entry is not None:
        return entry if options is None or entry.path is None else replace(entry, options=options)
    if looks_like_path(name):
        return folder_set(name, options)
    raise unknown(name)


def resolve(ref: str | Callable[..., Any]) -> Callable[..., Any]:
    """The function an entry names as "module:function" (its module imported now), or the
    function itself (an entry registered from a notebook may hold one)."""
    if callable(ref):
        return ref
    module, _, function = ref.partition(":")
    return getattr(importlib.import_module(module), function)


def known(name: str) -> DataSet | None:
    """The registered entry of data set ``name`` (a built-in or registered set), or None
    (an unknown name, or a folder path)."""
    return data_sets().get(normalise(name))


def scored_as(name: str) -> str | None:
    """The data set whose evaluator scores a captioned set's images (None: not captioned)."""
    entry = data_sets().get(normalise(name))
    return None if entry is None else entry.scored_as
