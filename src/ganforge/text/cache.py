"""Caption embeddings cached on disk, so a caption is encoded once, not every run or epoch.

    $XDG_CACHE_HOME/ganforge/embeddings/<data set>/<encoder>-<hash>.safetensors
    (~/.cache/ganforge/... when XDG_CACHE_HOME is unset)

The key is the encoder's name and the SHA-256 of the caption list (in order), so any change
to the captions or the encoder makes a new entry. Vectors are stored as float16 tensors
(safetensors: nothing is unpickled); an unreadable entry is encoded again and replaced.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ganforge.fileio import atomic_write_bytes, cache_root
from ganforge.text.encoders import TextEncoder

if TYPE_CHECKING:
    import torch


def embeddings_root() -> Path:
    """The folder of all cached embeddings (inside ganforge's user cache)."""
    return cache_root() / "embeddings"


def captions_digest(captions: Sequence[str]) -> str:
    """SHA-256 of the caption list (each caption, then a NUL byte)."""
    digest = hashlib.sha256()
    for caption in captions:
        digest.update(caption.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def cache_path(dataset: str, encoder: str, captions: Sequence[str]) -> Path:
    """Where the embeddings of `captions` by `encoder` for `dataset` are kept."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", encoder)
    return embeddings_root() / dataset / f"{slug}-{captions_digest(captions)[:24]}.safetensors"


def _read(path: Path, count: int) -> torch.Tensor | None:
    """The cached vectors (count, E), or None when the entry is missing or unusable."""
    from safetensors import SafetensorError  # with torch: imported on use (CLI start-up)
    from safetensors.torch import load

    try:
        vectors = load(path.read_bytes()).get("vectors")
    except (OSError, SafetensorError):
        return None
    if vectors is None or vectors.dim() != 2 or vectors.shape[0] != count:
        return None
    return vectors


def caption_path(encoder: str, caption: str) -> Path:
    """Where the sentence vector of one caption by `encoder` is kept (`ganforge generate`)."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", encoder)[:80]
    key = hashlib.sha256(f"{encoder}\0{caption}".encode()).hexdigest()[:32]
    return embeddings_root() / "captions" / slug / f"{key}.safetensors"


def encode_each_cached(encoder: str, captions: Sequence[str],
                       encode: Callable[[list[str]], torch.Tensor]) -> torch.Tensor:
    """Sentence vectors (N, E) float32 of `captions`, each read from the caption cache or
    encoded alone by `encode` (so a vector never depends on the captions beside it) and
    stored exactly; a cache hit needs no encoder at all."""
    import torch  # torch and safetensors: imported on use (CLI start-up time)
    from safetensors.torch import save

    rows = []
    for caption in captions:
        path = caption_path(encoder, caption)
        vector = _read(path, 1) if path.is_file() else None
        if vector is None or vector.dtype != torch.float32:
            vector = encode([caption]).float().contiguous()
            try:
                atomic_write_bytes(path, save({"vectors": vector}, metadata={"encoder": encoder}))
            except OSError:
                pass  # a read-only or full cache only costs the next call its encoding
        rows.append(vector)
    return torch.cat(rows)


def encode_cached(encoder: TextEncoder, captions: Sequence[str], dataset: str,
                  log: Callable[[str], None] | None = None) -> torch.Tensor:
    """Sentence vectors (N, E) float16 of `captions`: from the cache, or encoded and stored."""
    import torch  # torch and safetensors: imported on use (CLI start-up time)
    from safetensors.torch import save

    path = cache_path(dataset, encoder.name, captions)
    cached = _read(path, len(captions)) if path.is_file() else None
    if cached is not None:
        return cached
    say = log or (lambda message: print(message, file=sys.stderr))
    say(f"encoding {len(captions)} captions of {dataset} with {encoder.name} (once; cached in "
        f"{path.parent})")
    vectors = encoder.encode(list(captions)).to(torch.float16).contiguous()
    metadata = {"encoder": encoder.name, "dataset": dataset, "count": str(len(captions))}
    atomic_write_bytes(path, save({"vectors": vectors}, metadata=metadata))
    return vectors
