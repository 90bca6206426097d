"""Run under torchrun by tests/runtime/test_distributed.py: a tiny training run whose
observer writes, on every rank, a hash of the weights after every generator step."""

import hashlib
import os
import sys
from pathlib import Path

import torch

from ganforge.config import resolve_config
from ganforge.training.observers import Observer
from ganforge.training.run import resume, train


class WeightHashes(Observer):
    all_ranks = True

    def __init__(self, folder: Path):
        self.path = folder / f"hashes_rank{os.environ.get('RANK', '0')}.txt"

    def on_records(self, loop, records):
        digest = hashlib.sha256()
        for module in (loop.trainer.generator, loop.trainer.discriminator):
            for p in module.parameters():
                digest.update(p.detach().contiguous().numpy().tobytes())
        with open(self.path, "a") as fh:
            fh.write(f"{records[-1]['step']} {digest.hexdigest()}\n")


def main() -> None:
    mode, out, hashes = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    observers = [WeightHashes(hashes)]
    torch.set_num_threads(1)
    if mode == "train":
        overrides = dict(arg.split("=", 1) for arg in sys.argv[4:])
        train(resolve_config("dcgan-mnist", overrides=overrides), out, progress=False,
              observers=observers)
    else:
        resume(out, {"epochs": sys.argv[4]}, progress=False, observers=observers)


if __name__ == "__main__":
    main()
