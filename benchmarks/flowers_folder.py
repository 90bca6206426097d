"""Write synthetic-flowers as a plain folder of the user's kind: images/NNNNN.png and a
metadata.jsonl with each image's ten captions, and nothing else (no Oxford layout, no
classes, no attributes). `--flat` leaves out the captions (an unlabelled folder).

    python benchmarks/flowers_folder.py OUT [--flat]

The folder trains through the generic folder path (docs/data.md, "The generic path against
the built-in one").
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from PIL import Image

from ganforge.data import load_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--flat", action="store_true", help="images only, no captions")
    args = parser.parse_args()
    (args.out / "images").mkdir(parents=True, exist_ok=False)
    rows, number = [], 0
    for split in ("train", "test"):
        data = load_dataset("synthetic-flowers", split, text_encoder=None)
        for image, captions in zip(data.images, data.captions, strict=True):
            name = f"images/{number:05d}.png"
            Image.fromarray(image.permute(1, 2, 0).numpy(), "RGB").save(args.out / name)
            rows.append({"file_name": name, "text": captions})
            number += 1
    if not args.flat:
        (args.out / "metadata.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{args.out}: {number} images{'' if args.flat else ', metadata.jsonl'}")


if __name__ == "__main__":
    main()
