"""R-precision and caption similarity rows of a captioned data set, in the image-text encoder
fitted for it (`ganforge evaluator fit DATA`): the real test images (the ceiling), each
text-to-image generator given, uniform noise, and a collapsed generator (one real image
repeated), each drawn from one held-out caption of every test image (the captions and order
`ganforge evaluate` uses for seed 0). On synthetic-flowers also the whole-species captions
(each test image's four species attributes in one caption, SPECIES_PHRASINGS, never in the
data set), with candidates of other species only.

    python benchmarks/r_precision_rows.py synthetic-flowers --generator t2i-synthetic-flowers
    python benchmarks/r_precision_rows.py fashion-mnist-captions --generator t2i-fashion
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from ganforge.data import load_dataset
from ganforge.data.captioned.held_out import every_image
from ganforge.metrics.fitted import data_key, find_fitted, load_fitted
from ganforge.metrics.r_precision import CANDIDATES
from ganforge.metrics.retrieval import figures_of
from ganforge.sampling.captions import encode_captions, generate_for_captions, load_text_generator
from ganforge.text.cache import encode_cached
from ganforge.text.encoders import get_encoder


def whole_species(data, order: np.ndarray, seed: int) -> list[str]:
    from ganforge.data.synthetic_flowers.captions import SPECIES_PHRASINGS
    from ganforge.data.synthetic_flowers.unseen import new_order_captions

    # the seed `ganforge evaluate --captions unseen` draws them with (metrics.unseen.SEEDS)
    return new_order_captions(data.truth[order], 1903 + 1000 * seed, SPECIES_PHRASINGS)


def row(name: str, model, images, text, captions, labels, seed: int) -> dict:
    f = figures_of(model, images, text, captions, labels, seed)
    out = {"row": name, "r_precision": f["r_precision"]["r_precision"],
           "stderr": f["r_precision"]["stderr"], "n": f["r_precision"]["n"],
           "candidates": f["r_precision"]["candidates"],
           "caption_similarity": f["caption_similarity"]}
    if "r_precision_other_classes" in f:
        out["r_precision_other_classes"] = f["r_precision_other_classes"]["r_precision"]
    print(f"{name:<34} R@1 {out['r_precision']:.3f} ± {out['stderr']:.3f}"
          + (f"  other classes {out['r_precision_other_classes']:.3f}"
             if "r_precision_other_classes" in out else "")
          + f"  caption similarity {out['caption_similarity']:.3f}  (n {out['n']})", flush=True)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("dataset")
    p.add_argument("--generator", action="append", default=[],
                   help="a text-to-image run, checkpoint or pretrained name (repeatable)")
    p.add_argument("--evaluator-dir", help="folder of the fitted contrastive.json")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", help="write the rows here")
    args = p.parse_args()
    start = time.perf_counter()
    path = find_fitted(data_key(args.dataset), ("contrastive",), args.evaluator_dir)
    if path is None:
        raise SystemExit(f"no image-text encoder fitted for {args.dataset}")
    model, record = load_fitted(path)
    encoder = get_encoder(record["text_encoder"])
    data = load_dataset(args.dataset, "test", text_encoder=record["text_encoder"])
    labels = data.labels.numpy()
    order, k = every_image(labels, data.text.shape[1], len(data.classes), args.seed)
    captions = [data.captions[i][j] for i, j in zip(order, k, strict=True)]
    text = data.text[torch.from_numpy(order), torch.from_numpy(k)].float()
    real = data.images[torch.from_numpy(order)]
    lab = labels[order]
    print(f"{args.dataset}: image-text encoder {path}; held-out captions, one per test image; "
          f"R@1 among {CANDIDATES}, candidates never word for word the image's own")
    rows = [row("real test images (ceiling)", model, real, text, captions, lab, args.seed)]
    loaded = {g: load_text_generator(g) for g in args.generator}
    for name, gen in loaded.items():
        images = generate_for_captions(gen, encode_captions(gen, captions), args.seed)
        rows.append(row(f"generator {name}", model, images, text, captions, lab, args.seed))
    rng = np.random.default_rng(args.seed)
    noise = torch.from_numpy(rng.integers(0, 256, real.shape, dtype=np.uint8))
    rows.append(row("uniform noise", model, noise, text, captions, lab, args.seed))
    rows.append(row("one real image repeated", model, real[:1].expand_as(real).contiguous(),
                    text, captions, lab, args.seed))
    result = {"dataset": args.dataset, "encoder": str(path), "seed": args.seed,
              "held_out": rows}
    if data.truth is not None and args.dataset == "synthetic-flowers":
        species = whole_species(data, order, args.seed)
        vectors = encode_cached(encoder, species, args.dataset).float()
        print("whole-species captions (four species attributes each), candidates of other "
              "species only (R@1 'other classes'):")
        ws = [row("real test images (ceiling)", model, real, vectors, species, lab, args.seed)]
        for name, gen in loaded.items():
            images = generate_for_captions(gen, encode_captions(gen, species), args.seed)
            ws.append(row(f"generator {name}", model, images, vectors, species, lab,
                          args.seed))
        ws.append(row("uniform noise", model, noise, vectors, species, lab, args.seed))
        result["whole_species"] = ws
        result["whole_species_examples"] = species[:3]
    result["seconds"] = round(time.perf_counter() - start, 1)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
