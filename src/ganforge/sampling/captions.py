"""Draw images from captions with a trained text-to-image generator: the caption goes through
the run's own text encoder, then into G with seeded noise. Interpolation walks the sentence
vector from one caption to another with the noise held fixed, so only the text changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from ganforge.errors import CheckpointError, ConfigError
from ganforge.model_configs import condition_of
from ganforge.sampling.draw import draw_images, seeded_noise
from ganforge.sampling.generator import LoadedGenerator, load_generator
from ganforge.text.blank import is_blank


def load_text_generator(path: Path | str, encoder_dirs: Sequence[str | Path] = ()
                        ) -> LoadedGenerator:
    """G of a text-to-image run folder, checkpoint or pretrained name ("t2i-fashion"); a
    one-line error for other runs, and for a text encoder that is neither built in nor one
    of `encoder_dirs` (the folders the user named with --text-encoder-dir)."""
    from ganforge.text.encoders import checkpoint_encoder

    loaded = load_generator(path)
    model = loaded.config.model
    if condition_of(model) != "text":
        raise ConfigError(f"{loaded.checkpoint}: arch {model.arch} does not read captions; "
                          "use `ganforge sample` for it")
    checkpoint_encoder(model.text_encoder, encoder_dirs, loaded.checkpoint)
    return loaded


def encode_captions(loaded: LoadedGenerator, captions: Sequence[str], cache: bool = False
                    ) -> torch.Tensor:
    """Sentence vectors (n, E) float32 of `captions` by the run's encoder; with `cache`, each
    caption's vector comes from (or goes to) the on-disk caption cache, keyed by encoder and
    caption, so a caption seen before loads no encoder (`ganforge generate`)."""
    from ganforge.data.folder.conventions import MAX_CAPTION_CHARS  # the longest trained on
    from ganforge.text.encoders import get_encoder

    for caption in captions:
        if is_blank(caption):
            raise ConfigError("a caption is empty: give the sentence to draw, in words like "
                              "those of the captions the model was trained on")
        if len(caption) > MAX_CAPTION_CHARS:
            raise ConfigError(f"a caption is {len(caption)} characters long; at most "
                              f"{MAX_CAPTION_CHARS} are read (training keeps none longer)")
        try:
            caption.encode("utf-8")  # bytes the shell's locale could not decode land here
        except UnicodeEncodeError as exc:
            raise ConfigError(f"a caption is not valid UTF-8 text (an undecodable byte at "
                              f"character {exc.start + 1}); give the caption in UTF-8") from None
    model = loaded.config.model
    cleaned = [" ".join(c.split()) for c in captions]
    if cache:
        from ganforge.text.cache import encode_each_cached

        vectors = encode_each_cached(model.text_encoder, cleaned,
                                     lambda some: get_encoder(model.text_encoder).encode(some))
    else:
        vectors = get_encoder(model.text_encoder).encode(cleaned)
    if vectors.shape[1] != model.text_dim:
        raise CheckpointError(f"{loaded.checkpoint}: text encoder {model.text_encoder!r} gives "
                              f"{vectors.shape[1]}-d vectors, the model reads {model.text_dim}")
    return vectors.float()


def draw(loaded: LoadedGenerator, text: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """G(z, text) in batches: images (n, C, H, W) in [-1, 1] (sampling.draw.draw_images)."""
    return draw_images(loaded.generator, z, text)


def noise(loaded: LoadedGenerator, n: int, seed: int) -> torch.Tensor:
    """The n latent points of `seed` (sampling.draw.seeded_noise)."""
    cfg = loaded.config
    return seeded_noise(n, cfg.model.latent_dim, cfg.train.noise, seed)


def generate_from_caption(loaded: LoadedGenerator, caption: str, n: int, seed: int = 0,
                          to: str | None = None, cache: bool = False) -> torch.Tensor:
    """n images of `caption` (different noise each), or with `to`, n images along the line
    from `caption`'s vector to `to`'s (the same noise for all). Same seed, same images.
    `cache`: keep the captions' vectors on disk (see encode_captions)."""
    if n < 1:
        raise ConfigError(f"-n must be at least 1, got {n}")
    if to is not None and is_blank(to):
        raise ConfigError("--to is empty: give the caption the images walk to, in words like "
                          "those of the captions the model was trained on")
    if to is None:
        text = encode_captions(loaded, [caption], cache).expand(n, -1)
        return draw(loaded, text, noise(loaded, n, seed))
    start, end = encode_captions(loaded, [caption, to], cache)
    t = torch.linspace(0.0, 1.0, n)[:, None]  # (n, 1)
    text = (1.0 - t) * start + t * end  # (n, E)
    return draw(loaded, text, noise(loaded, 1, seed).expand(n, -1))


def generate_for_captions(loaded: LoadedGenerator, text: torch.Tensor, seed: int = 0
                          ) -> torch.Tensor:
    """One image per sentence vector in `text` (n, E), each with its own noise."""
    return draw(loaded, text.float(), noise(loaded, len(text), seed))
