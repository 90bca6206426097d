"""What a run trained on, in a few bytes: the training split's image count and a digest of
its pixels and labels. Checkpoints keep it, so a resume on a data set that changed since
(a folder that gained or lost images, or one given anew with other contents) says so."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from ganforge.data.dataset import ImageData


def fingerprint(data: ImageData) -> dict[str, Any]:
    """{"images": N, "sha256": digest of the uint8 pixels and the labels} of a split."""
    digest = hashlib.sha256()
    for tensor in (data.images, data.labels):
        digest.update(np.ascontiguousarray(tensor.cpu().numpy()).data)
    return {"images": len(data), "sha256": digest.hexdigest()}


def data_change(was: dict[str, Any] | None, now: dict[str, Any], where: str) -> str | None:
    """A warning line when the split differs from the one a checkpoint recorded (`was`;
    None for checkpoints written before fingerprints were kept), else None."""
    if was is None or was == now:
        return None
    if was["images"] != now["images"]:
        what = f"{now['images']} training images, the run had {was['images']}"
    else:
        what = f"the same number of training images ({now['images']}), with other contents"
    return (f"warning: {where}: the data set has changed since this checkpoint ({what}); "
            f"training goes on with the data as it is now, so the run no longer repeats "
            f"exactly")
