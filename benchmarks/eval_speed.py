"""Time one evaluation of 10,000 samples, part by part (prints seconds; no assertions).

    python benchmarks/eval_speed.py RUN [--n 10000]

The target: generate + features + FD under 15 s on the project's 2-core machine. The
test-split reference features are computed first (once per process) and timed apart.
"""

from __future__ import annotations

import argparse
import time

import torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", help="run folder or checkpoint")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    from ganforge.metrics.evaluate import _split_features, extract, sample_images
    from ganforge.metrics.frechet import frechet_distance, gaussian_stats
    from ganforge.metrics.kid import kid
    from ganforge.metrics.precision_recall import precision_recall
    from ganforge.sampling.generator import load_generator

    loaded = load_generator(args.run)
    cfg = loaded.config
    clock = time.perf_counter()
    test = _split_features(cfg.data.dataset, "test", "evaluator", cfg.data.data_dir)
    print(f"reference: test-split features ({len(test)} images): "
          f"{time.perf_counter() - clock:.2f} s (once per process)")
    parts: dict[str, float] = {}
    clock = time.perf_counter()
    images = sample_images(loaded.generator, cfg.model.latent_dim, cfg.train.noise, args.n)
    parts["generate"] = time.perf_counter() - clock
    clock = time.perf_counter()
    gen = extract(images, cfg.data.dataset)
    parts["features"] = time.perf_counter() - clock
    clock = time.perf_counter()
    fd = frechet_distance(gaussian_stats(gen.features), gaussian_stats(test.features))
    parts["fd"] = time.perf_counter() - clock
    core = sum(parts.values())
    clock = time.perf_counter()
    kid(gen.features, test.features[: args.n])
    parts["kid"] = time.perf_counter() - clock
    clock = time.perf_counter()
    precision_recall(gen.features, test.features[: args.n])
    parts["precision_recall"] = time.perf_counter() - clock
    for name, seconds in parts.items():
        print(f"{name:<17} {seconds:6.2f} s")
    print(f"n = {args.n}: generate + features + FD = {core:.2f} s (FD {fd:.2f}); "
          f"torch threads {torch.get_num_threads()}")


if __name__ == "__main__":
    main()
