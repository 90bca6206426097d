"""What a run trained on, in a few bytes: the training split's image count, a digest of its
pixels, labels and captions, and its class names. Checkpoints keep it, so a resume on a
data set that changed since (a folder that gained or lost images, captions edited, or one
given anew with other contents) says so, and sampling by class name reads the names the run
was trained with."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

from ganforge.data.dataset import ImageData


def fingerprint(data: ImageData) -> dict[str, Any]:
    """{"images": N, "sha256": digest of the uint8 pixels, the labels and the captions,
    "classes": names} of a split."""
    digest = hashlib.sha256()
    for tensor in (data.images, data.labels):
        digest.update(np.ascontiguousarray(tensor.cpu().numpy()).data)
    if data.captions is not None:  # a caption edited since changes the split too
        digest.update(json.dumps(data.captions, ensure_ascii=False).encode("utf-8"))
    return {"images": len(data), "sha256": digest.hexdigest(), "classes": list(data.classes)}


def recorded_classes(meta: dict[str, Any]) -> tuple[str, ...] | None:
    """The class names a checkpoint's run was trained with (None: not recorded)."""
    classes = meta.get("data", {}).get("classes") if isinstance(meta.get("data"), dict) \
        else None
    if isinstance(classes, list) and all(isinstance(c, str) for c in classes):
        return tuple(classes)
    return None


def data_change(was: dict[str, Any] | None, now: dict[str, Any], where: str) -> str | None:
    """A warning line when the split differs from the one a checkpoint recorded (`was`;
    None for checkpoints written before fingerprints were kept), else None."""
    if was is None or (was["images"], was["sha256"]) == (now["images"], now["sha256"]):
        return None
    if was["images"] != now["images"]:
        what = f"{now['images']} training images, the run had {was['images']}"
    else:
        what = f"the same number of training images ({now['images']}), with other contents"
    return (f"warning: {where}: the data set has changed since this checkpoint ({what}); "
            f"training goes on with the data as it is now, so the run no longer repeats "
            f"exactly")


def refuse_class_change(meta: dict[str, Any], data: ImageData, where: str) -> None:
    """One line (ConfigError) when the split's class names are not the ones a checkpoint's
    record (`meta`) names: a class folder renamed keeps the count but gives a label another
    meaning. Nothing for checkpoints without the record."""
    from ganforge.errors import ConfigError

    names = recorded_classes(meta)
    if names is None or tuple(data.classes) == names:
        return
    raise ConfigError(f"{where}: the data set's classes have changed since the run began "
                      f"({', '.join(data.classes) or 'none'}; the run's: "
                      f"{', '.join(names) or 'none'}), so a label would mean another class; "
                      f"restore the names, or train a new run")
