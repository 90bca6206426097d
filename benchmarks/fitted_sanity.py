"""Does a fitted evaluator tell good images from bad ones? Scores, in the features of the
evaluator `ganforge evaluate` finds for DATA (a folder or a data set name), four sets of as
many images as DATA's test split: real training images (the floor), a run's checkpoint drawn
as `ganforge evaluate` draws it (seed 0), uniform noise, and the checkpoint's first image
repeated (a collapsed generator). FD, KID, precision and recall of each against the test
split (and the feature spread, where the evaluator gives it), one row each.

    python benchmarks/fitted_sanity.py /work/flowers-flat CHECKPOINT.json
"""

from __future__ import annotations

import argparse

import torch

from ganforge.data import load_dataset
from ganforge.metrics.draw import drawing_for
from ganforge.metrics.evaluate import evaluate_images
from ganforge.metrics.registry import scoring_for
from ganforge.sampling.generator import load_generator


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("data", help="the data set (a folder) whose fitted evaluator scores")
    p.add_argument("checkpoint", help="a checkpoint of a run (its images: the trained run)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    test = load_dataset(args.data, "test", text_encoder=None).images
    train = load_dataset(args.data, "train", text_encoder=None).images
    n = len(test)
    g = torch.Generator().manual_seed(args.seed)
    loaded = load_generator(args.checkpoint)
    drawing = drawing_for(loaded.config)
    drawn = drawing.draw(loaded.generator, loaded.config,
                         min(n, drawing.count(None, loaded.config, args.seed)), args.seed)
    run = (drawn.clamp(-1, 1) * 127.5 + 127.5).round().to(torch.uint8)
    sets = {"real (training images)": train[torch.randperm(len(train), generator=g)[:n]],
            f"trained run, step {loaded.step}": run,
            "uniform noise": torch.randint(0, 256, tuple(test.shape), generator=g,
                                           dtype=torch.uint8),
            "one image repeated": run[:1].expand(n, -1, -1, -1).contiguous()}
    spread = "spread" in scoring_for(args.data).metrics
    print(f"| images ({n}) | FD | KID | precision | recall |" + (" spread |" if spread else "")
          + "\n|---|---|---|---|---|" + ("---|" if spread else ""))
    for name, images in sets.items():
        m = evaluate_images(images, args.data, seed=args.seed)["metrics"]
        print(f"| {name} ({len(images)}) | {m['fd']:.3f} | {m['kid']:.4f} | "
              f"{m['precision']:.3f} | {m['recall']:.3f} |"
              + (f" {m['spread']:.3f} |" if spread else ""), flush=True)


if __name__ == "__main__":
    main()
