"""`ganforge sample`: draw images from a trained generator."""

from __future__ import annotations

import argparse

from ganforge.cli import examples
from ganforge.cli.numbers import COUNT, NROW, SEED, Whole
from ganforge.cli.pretrained import add_output_arguments, add_source_arguments

CODE = Whole(0, 4095)  # InfoGAN codes are at most the noise entries (4096); the model checks


def add_parser(sub) -> None:
    p = sub.add_parser("sample", help="draw samples from a trained run",
                       description="Draw images from a run's generator (or a shipped one) "
                                   "into a grid PNG, an .npz of uint8 images or a PNG folder.",
                       **examples("ganforge sample runs/dcgan -n 64 --out grid.png --seed 0",
                                  "ganforge sample --pretrained dcgan-fashion -n 10000 "
                                  "--format npz --out samples.npz"))
    add_source_arguments(p)
    p.add_argument("-n", type=COUNT, default=64,
                   help=f"number of images (default 64; {COUNT.range})")
    add_output_arguments(p)
    p.add_argument("--seed", type=SEED, default=0,
                   help=f"noise seed (same seed, same images; {SEED.range})")
    p.add_argument("--nrow", type=NROW, help=f"images per grid row (png; {NROW.range})")
    p.add_argument("--class", dest="class_name", metavar="CLASS",
                   help="only this class, by name or index (class-conditional models, "
                        "e.g. best-fashion: --class 'ankle boot')")
    p.add_argument("--code", type=CODE, metavar="K",
                   help=f"only this InfoGAN code, 0..N-1 ({CODE.range}; generators trained with "
                        "--codes N, e.g. best-uncond-mnist: each code tends to one digit)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ganforge.pretrained.store import resolve_source
    from ganforge.sampling.generator import export_format, export_images, generate, load_generator

    fmt = export_format(args.out, args.format)  # a bad name stops before any drawing
    loaded = load_generator(resolve_source(args.run, args.pretrained, "sample"))
    images = generate(loaded, args.n, seed=args.seed, class_name=args.class_name,
                      code=args.code)
    out = export_images(images, args.out, fmt, nrow=args.nrow)
    print(f"{args.n} images from {loaded.checkpoint} (step {loaded.step}) -> {out}")
    return 0
