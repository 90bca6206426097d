"""`ganforge generate RUN "a caption"`: draw images from a caption with a text-to-image run."""

from __future__ import annotations

import argparse

from ganforge.cli import examples
from ganforge.cli.numbers import CAPTION_COUNT, NROW, SEED
from ganforge.cli.pretrained import (
    add_encoder_dir_argument,
    add_output_arguments,
    add_source_arguments,
)


def add_parser(sub) -> None:
    p = sub.add_parser("generate", help="draw images from a caption (text-to-image runs)",
                       description="Draw images of a caption with a trained text-to-image "
                                   "generator; with --to, walk from one caption to another.",
                       **examples('ganforge generate --pretrained t2i-fashion "an ankle boot" '
                                  "--out boots.png"))
    add_source_arguments(p, ", e.g. t2i-fashion", caption=True)
    p.add_argument("-n", type=CAPTION_COUNT, default=16,
                   help=f"number of images (default 16; {CAPTION_COUNT.range})")
    add_output_arguments(p)
    p.add_argument("--to", metavar="CAPTION",
                   help="interpolate from the caption to this one (same noise throughout)")
    p.add_argument("--seed", type=SEED, default=0,
                   help=f"noise seed (same seed, same images; {SEED.range})")
    p.add_argument("--nrow", type=NROW, help=f"images per grid row (png; {NROW.range})")
    add_encoder_dir_argument(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ganforge.errors import ConfigError
    from ganforge.pretrained.store import resolve_source
    from ganforge.sampling.captions import generate_from_caption, load_text_generator
    from ganforge.sampling.generator import export_format, export_images

    if args.pretrained is not None and args.caption is None:  # `--pretrained NAME "caption"`
        args.run, args.caption = None, args.run
    fmt = export_format(args.out, args.format)  # a bad name stops before any drawing
    source = resolve_source(args.run, args.pretrained, "generate")
    if args.caption is None:
        raise ConfigError('generate: give the caption to draw, e.g. "an ankle boot"')
    loaded = load_text_generator(source, args.text_encoder_dir)
    images = generate_from_caption(loaded, args.caption, args.n, seed=args.seed, to=args.to,
                                   cache=True)  # a caption seen before loads no encoder
    out = export_images(images, args.out, fmt, nrow=args.nrow)
    what = f"{args.caption!r} -> {args.to!r}" if args.to else repr(args.caption)
    print(f"{args.n} images of {what} from {loaded.checkpoint} (step {loaded.step}) -> {out}")
    return 0
