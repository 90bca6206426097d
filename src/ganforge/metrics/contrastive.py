"""The image-text encoder fitted on a captioned data set (`ganforge evaluator fit`), in the
spirit of AttnGAN's DAMSM sentence encoder and of CLIP: an image CNN and a projection of
the captions' sentence vectors map into one space, trained so that an image lies nearer its
own captions than the other captions of the batch (the symmetric InfoNCE loss below).

Its image CNN's penultimate layer (`features`, 128-d after a ReLU, the evaluator
classifier's layout; unit length for the self-supervised kind) is the feature space for FD,
KID and precision/recall; the two
projections, L2-normalised, give R-precision and caption similarity (metrics.r_precision).

The symmetric InfoNCE loss of B pairs (a_i, b_i), rows L2-normalised, with scale s = 1 / T:

    L_ij = s * a_i . b_j
    loss = 1/2 [ -1/B sum_i sum_j y_ij log softmax_j(L_i.) - 1/B sum_j sum_i y_ij log
                 softmax_i(L_.j) ]

where y_ij = 1 for j = i and 0 otherwise (CLIP), or, when `same` marks pairs known to match
(two images with word for word the same caption), y_i. = same_i. / |same_i.|: a caption
shared by k images of the batch is a right answer for each of them, not a negative. The
temperature T is learned (as log s, CLIP's start 0.07, s capped at 100) or fixed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

MAX_SCALE = 100.0  # CLIP's cap on the learned 1 / T
KINDS = ("classifier", "contrastive", "self-supervised")


@dataclass(frozen=True)
class EncoderConfig:
    """Sizes of a fitted encoder (contrastive or self-supervised)."""

    kind: str  # "classifier", "contrastive" (images and captions), "self-supervised"
    channels: int = 3
    image_size: int = 64
    width: int = 16  # channels of the first conv block; doubled up to 4x in later blocks
    feature_dim: int = 128  # the feature space of FD, KID, precision/recall
    embed_dim: int = 128  # the joint (or projection) space of the loss
    text_dim: int = 0  # sentence vector size (contrastive only)
    text_hidden: int = 256
    temperature: float = 0.07  # T at the start (learned) or throughout (fixed)
    learn_temperature: bool = True
    num_classes: int = 0  # the classifier's classes
    dropout: float = 0.3  # before the classifier's head

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown encoder kind {self.kind!r}")
        if self.kind == "classifier" and self.num_classes < 2:
            raise ValueError("a classifier needs at least 2 classes")
        if self.kind == "contrastive" and self.text_dim < 1:
            raise ValueError("a contrastive encoder needs the sentence vectors' size text_dim")
        if self.image_size < 8 or not 0 < self.temperature <= 1:
            raise ValueError(f"bad encoder sizes: image {self.image_size}, "
                             f"temperature {self.temperature}")

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _block(c_in: int, c_out: int, kernel: int, stride: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=1, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


def image_body(cfg: EncoderConfig) -> nn.Sequential:
    """Conv blocks halving the image until it is at most 4x4 (one stride-1 block after the
    second), then the feature layer: (B, C, S, S) -> (B, feature_dim)."""
    w, size, c_in, layers = cfg.width, cfg.image_size, cfg.channels, []
    halvings = 0
    while size > 4:
        c_out = min(4 * w, w * 2 ** halvings)
        layers.append(_block(c_in, c_out, 4 if halvings == 0 else 3, 2))
        size, c_in, halvings = (size + 1) // 2, c_out, halvings + 1
        if halvings == 2:
            layers.append(_block(c_in, c_in, 3, 1))
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(4), nn.Flatten(),
                         nn.Linear(c_in * 16, cfg.feature_dim), nn.ReLU(inplace=True))


class FittedEncoder(nn.Module):
    """image (B, C, S, S) in [-1, 1] -> `features` (B, feature_dim); `embed_images` and (for
    the contrastive kind) `embed_text` map into the joint space, unit length; the
    classifier kind's `head` gives class logits.

    `head` and `heads` make it readable by metrics.features like an evaluator classifier.
    The contrastive and self-supervised kinds have no classes: their `head` gives one logit
    (every image "one class"), and a data set scored by them gets FD, KID and
    precision/recall only."""

    def __init__(self, cfg: EncoderConfig):
        super().__init__()
        self.config = cfg
        self.body = image_body(cfg)
        self.image_proj = (nn.Sequential(nn.Linear(cfg.feature_dim, cfg.feature_dim),
                                         nn.ReLU(inplace=True),
                                         nn.Linear(cfg.feature_dim, cfg.embed_dim))
                           if cfg.kind != "classifier" else nn.Identity())
        self.text_proj = (nn.Sequential(nn.Linear(cfg.text_dim, cfg.text_hidden),
                                        nn.ReLU(inplace=True),
                                        nn.Linear(cfg.text_hidden, cfg.embed_dim))
                          if cfg.kind == "contrastive" else None)
        scale = torch.tensor(math.log(1.0 / cfg.temperature))
        if cfg.learn_temperature:
            self.log_scale = nn.Parameter(scale)
        else:
            self.register_buffer("log_scale", scale)
        self.classes = (nn.Sequential(nn.Dropout(cfg.dropout),
                                      nn.Linear(cfg.feature_dim, cfg.num_classes))
                        if cfg.kind == "classifier" else None)
        self.heads = nn.ModuleDict()  # no attribute heads

    def _body(self, x: torch.Tensor) -> torch.Tensor:
        cfg = self.config
        if tuple(x.shape[1:]) != (cfg.channels, cfg.image_size, cfg.image_size):
            from ganforge.errors import ConfigError

            raise ConfigError(f"images shaped {tuple(x.shape[1:])} (C, H, W); this evaluator "
                              f"was fitted on ({cfg.channels}, {cfg.image_size}, "
                              f"{cfg.image_size}): fit one on data of that shape")
        return self.body(x)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The CNN's penultimate layer; unit length for the self-supervised kind (its
        directions, not its lengths, are what it learnt: metrics.self_supervised)."""
        h = self._body(x)
        return F.normalize(h, dim=1) if self.config.kind == "self-supervised" else h

    def head(self, h: torch.Tensor) -> torch.Tensor:
        return h.new_zeros(h.shape[0], 1) if self.classes is None else self.classes(h)

    def attribute_logits(self, h: torch.Tensor) -> dict[str, torch.Tensor]:
        return {}

    def scale(self) -> torch.Tensor:
        """1 / T, capped at MAX_SCALE."""
        return self.log_scale.exp().clamp(max=MAX_SCALE)

    def embed_images(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.image_proj(self._body(x)), dim=1)

    def embed_text(self, t: torch.Tensor) -> torch.Tensor:
        if self.text_proj is None:
            raise ValueError("a self-supervised encoder has no text projection")
        return F.normalize(self.text_proj(t.float()), dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.embed_images(x)


def info_nce(a: torch.Tensor, b: torch.Tensor, scale: torch.Tensor | float,
             same: torch.Tensor | None = None) -> torch.Tensor:
    """Symmetric InfoNCE of paired rows a (B, d) and b (B, d) (see the module docstring);
    `same` (B, B) bool, symmetric, true on the diagonal: pairs that also match."""
    a, b = F.normalize(a, dim=1), F.normalize(b, dim=1)
    logits = scale * a @ b.T  # (B, B): row i image i against every caption
    if same is None:
        target = torch.arange(len(a), device=a.device)
        return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
    y = same.to(logits.dtype)
    y = y / y.sum(dim=1, keepdim=True)
    rows = -(y * F.log_softmax(logits, dim=1)).sum(dim=1).mean()
    cols = -(y * F.log_softmax(logits.T, dim=1)).sum(dim=1).mean()
    return (rows + cols) / 2


@torch.no_grad()
def embed(model: FittedEncoder, images: torch.Tensor | None = None,
          text: torch.Tensor | None = None, batch_size: int = 500) -> torch.Tensor:
    """Unit-length joint-space rows of `images` (uint8 or [-1, 1], (N, C, H, W)) or of
    sentence vectors `text` (N, E), in eval mode."""
    from ganforge.metrics.feature_set import as_image_tensor, to_model_input

    model.eval()
    if text is not None:
        return torch.cat([model.embed_text(text[i : i + batch_size])
                          for i in range(0, len(text), batch_size)])
    assert images is not None
    x = as_image_tensor(images)
    return torch.cat([model.embed_images(to_model_input(x[i : i + batch_size]))
                      for i in range(0, len(x), batch_size)])
