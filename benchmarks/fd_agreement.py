"""Do fitted evaluators rank checkpoints as the shipped evaluator does? For each checkpoint
of one text-to-image run: its images drawn from the held-out captions (seed 0, as
`ganforge evaluate` draws them), their FD against the test split in the shipped evaluator's
features and in each fitted evaluator's, then the Spearman rank correlation of each fitted
FD with the shipped one over the checkpoints.

    python benchmarks/fd_agreement.py RUN --fitted synthetic-flowers-contrastive.json \
        --fitted self-supervised.json:/path/to/flowers-folder
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ganforge.data import load_dataset
from ganforge.metrics.draw import drawing_for
from ganforge.metrics.evaluate import evaluate_images
from ganforge.metrics.evaluator_fit import features_of
from ganforge.metrics.fitted import load_fitted
from ganforge.metrics.frechet import frechet_distance_of_features
from ganforge.sampling.generator import load_generator


def spearman(a: list[float], b: list[float]) -> float:
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("run")
    p.add_argument("--fitted", action="append", default=[],
                   help="RECORD.json[:DATA] (DATA: whose test split is the reference; "
                        "default the run's data set)")
    args = p.parse_args()
    folder = Path(args.run) / "checkpoints"
    checkpoints = sorted(folder.glob("step_*.json")) + sorted(folder.glob("final.json"))
    fitted = []
    for spec in args.fitted:
        path, _, data = spec.partition(":")
        model, record = load_fitted(Path(path))
        fitted.append((Path(path).name if not data else f"{record['kind']} ({data})", model,
                       data or None))
    rows = []
    for ckpt in checkpoints:
        loaded = load_generator(ckpt)
        cfg = loaded.config
        drawing = drawing_for(cfg)
        n = drawing.count(None, cfg, 0)
        images = drawing.draw(loaded.generator, cfg, n, 0)
        row = {"step": loaded.step,
               "shipped": evaluate_images(images, drawing.dataset, seed=0)["metrics"]["fd"]}
        for name, model, data in fitted:
            test = load_dataset(data or cfg.data.dataset, "test", text_encoder=None).images
            gen = (images.clamp(-1, 1) * 127.5 + 127.5).round().to(dtype=test.dtype)
            row[name] = frechet_distance_of_features(features_of(model, gen),
                                                     features_of(model, test))
        rows.append(row)
        print("  ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
                        for k, v in row.items()), flush=True)
    for name, _, _ in fitted:
        rho = spearman([r["shipped"] for r in rows], [r[name] for r in rows])
        print(f"Spearman (shipped FD, {name} FD) over {len(rows)} checkpoints: {rho:.3f}")


if __name__ == "__main__":
    main()
