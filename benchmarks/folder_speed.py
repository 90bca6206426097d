"""How fast a folder of the user's images becomes a data set, and trains.

    python benchmarks/folder_speed.py [--images 10000] [--steps 40] [--reps 3]

1. prepare: draws N JPEGs of about 500x375 pixels (random sizes 400..600 x 300..450,
   procedural content, quality 90) into a temporary folder, then times `prepare` at 64x64
   on every core (a fresh cache), and loading the prepared cache again.
2. train: images/s of the same networks (preset dcgan64, batch 64) trained from the
   built-in synthetic-flowers and from the same images as a plain folder, in turns (the
   order alternates each repetition); the ratio is the median of the paired ratios.

Every figure printed comes from this run, with the machine's load average beside it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image


def draw_jpegs(folder: Path, count: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (450, 600, 3), dtype=np.uint8)
    for i in range(count):
        w, h = int(rng.integers(400, 601)), int(rng.integers(300, 451))
        y, x = int(rng.integers(0, 450 - h + 1)), int(rng.integers(0, 600 - w + 1))
        pixels = np.roll(base, i * 7, axis=1)[y:y + h, x:x + w]
        Image.fromarray(pixels).save(folder / f"photo_{i:05d}.jpg", quality=90)


def time_prepare(count: int) -> list[str]:
    from ganforge.data.folder.prepare import PrepareOptions, prepare

    with tempfile.TemporaryDirectory() as tmp:
        folder, cache = Path(tmp) / "photos", Path(tmp) / "cache"
        folder.mkdir()
        draw_jpegs(folder, count)
        os.environ["XDG_CACHE_HOME"] = str(cache)
        start = time.perf_counter()
        done = prepare(folder, PrepareOptions(image_size=64), show=False)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        prepare(folder, PrepareOptions(image_size=64), show=False)
        warm = time.perf_counter() - start
    return [f"prepare {len(done.images)} JPEGs (~500x375) -> 64x64 on {os.cpu_count()} cores: "
            f"{cold:.1f} s ({len(done.images) / cold:.0f} images/s)",
            f"load the prepared cache again: {warm:.2f} s"]


def steps_per_second(dataset: str, steps: int) -> float:
    from ganforge.config import resolve_config
    from ganforge.training.run import fit_to_data, load_training_data, prepare

    config = resolve_config("dcgan64", overrides={"dataset": dataset, "batch_size": "64",
                                                  "max_steps": str(steps), "eval_every": "0",
                                                  "threads": "2"})
    data = load_training_data(config)
    config = fit_to_data(config, data.channels, data.size, data.model_fields())
    with tempfile.TemporaryDirectory() as tmp:
        from ganforge.runs.folder import RunFolder

        loop = prepare(config, data, RunFolder.create(Path(tmp) / "run", config), False, ())
        start = time.perf_counter()
        loop.run()
        return steps * 64 / (time.perf_counter() - start)


def time_training(folder: str, steps: int, reps: int) -> list[str]:
    rows: dict[str, list[float]] = {"built-in": [], "folder": []}
    for rep in range(reps):
        order = ["built-in", "folder"] if rep % 2 == 0 else ["folder", "built-in"]
        for name in order:
            rows[name].append(steps_per_second(
                "synthetic-flowers" if name == "built-in" else folder, steps))
    ratios = [f / b for f, b in zip(rows["folder"], rows["built-in"], strict=True)]
    return [f"dcgan64 batch 64, 2 threads: built-in synthetic-flowers "
            f"{statistics.median(rows['built-in']):.1f} images/s, the same images as a folder "
            f"{statistics.median(rows['folder']):.1f} images/s; folder / built-in "
            f"{statistics.median(ratios):.3f} (median of {reps} paired ratios)"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--images", type=int, default=10_000)
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--folder", help="synthetic-flowers as a plain folder "
                                    "(benchmarks/flowers_folder.py --flat); skip training if none")
    p.add_argument("--parts", default="prepare,train")
    args = p.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    lines = time_prepare(args.images) if "prepare" in args.parts else []
    if "train" in args.parts and args.folder:
        lines += time_training(args.folder, args.steps, args.reps)
    for line in lines:
        print(line)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
