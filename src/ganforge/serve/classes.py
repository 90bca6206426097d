"""The classes of a class-conditional model behind `ganforge serve`: their names, in the order
of their indices, and the one-line answers to a class the model cannot draw.

A class is found by the rule of `ganforge sample --class` (ganforge.sampling.generator
`find_class`: the name as written, then without spaces at its ends and in Unicode NFC,
then in any case, then an index); a JSON integer is an index.
"""

from __future__ import annotations

import difflib

from ganforge.data.registry import known
from ganforge.errors import GanforgeError
from ganforge.sampling.generator import LoadedGenerator, ambiguity, class_names
from ganforge.serve.service import RequestError

SHOWN = 5  # class names an unknown class's answer lists, at most
SHOWN_NAME = 60  # characters of the refused name repeated in the answer, at most


def served_classes(loaded: LoadedGenerator) -> tuple[str, ...]:
    """The class names of a class-conditional run, index order: the ones its checkpoint
    recorded, else its built-in data set's; a position with no name known (a folder run of
    a checkpoint without the record: a server prepares no folder) is named by its index."""
    names = loaded.classes
    entry = known(loaded.config.data.dataset)
    if names is None and entry is not None and entry.path is None:
        try:
            names = class_names(loaded.config)
        except (GanforgeError, OSError):
            names = None
    count = int(loaded.config.model.num_classes)
    names = tuple(names or ())[:count]
    return names + tuple(str(i) for i in range(len(names), count))


def unknown_class(name: str, classes: tuple[str, ...]) -> str:
    """Why `name` is no class of the model: the classes it could be when it matches several
    (in any case, or up to spaces at its ends), else the closest names and a few others."""
    shown = name if len(name) <= SHOWN_NAME else name[: SHOWN_NAME - 3] + "..."
    twins = ambiguity(name, classes)
    if twins:
        return f"class {shown!r} {twins}"
    close = difflib.get_close_matches(name, classes, n=2, cutoff=0.6)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    first = ", ".join(repr(c) for c in classes[:SHOWN])
    more = f", ... ({len(classes)} in all, listed by GET /api/info)" \
        if len(classes) > SHOWN else ""
    return (f"unknown class {shown!r}; {hint}the classes are {first}{more}, or their index "
            f"0..{len(classes) - 1}")


def index_of(index: int, classes: tuple[str, ...]) -> int:
    """A class given by its index (a JSON integer): that index, or RequestError."""
    if index >= len(classes):
        raise RequestError("class", f"class index {index}: the model has {len(classes)} "
                           f"classes, 0..{len(classes) - 1} (GET /api/info lists them)")
    return index


def refuse_class(class_name: str | int | None, why: str) -> None:
    """RequestError on the class field when a class was given to a model that reads none."""
    if class_name is not None:
        raise RequestError("class", why)
