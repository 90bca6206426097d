"""`train --tensorboard`: event files with the run's scalars and sample grids."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from ganforge.config import resolve_config
from ganforge.errors import ConfigError
from ganforge.training.run import train

pytest.importorskip("tensorboard")

TINY = {"limit": "96", "batch_size": "32", "epochs": "2", "log_every": "2", "eval_every": "0",
        "g_hidden": "32,64", "d_hidden": "64,32"}


def _events(folder: Path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(folder), size_guidance={"scalars": 0, "images": 0})
    events.Reload()
    return events


def test_training_writes_scalars_and_grids(tmp_path, real_data_root):
    import json

    from ganforge.training.tensorboard import TensorBoardObserver

    run = train(resolve_config("mlp-mnist", overrides=TINY), tmp_path / "run", progress=False,
                observers=[TensorBoardObserver()])
    events = _events(run / "tensorboard")
    tags = events.Tags()
    assert {"train/g_loss", "train/d_loss", "train/d_real", "train/d_fake",
            "epoch/g_loss", "epoch/d_loss"} <= set(tags["scalars"])
    records = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in records if r["kind"] == "step"]
    logged = events.Scalars("train/d_real")
    assert [e.step for e in logged] == [r["step"] for r in steps] == list(range(1, 7))
    assert np.allclose([e.value for e in logged], [r["d_real"] for r in steps])
    grids = events.Images("samples")
    assert [g.step for g in grids] == [3, 6]  # one per epoch, at the epoch's last step
    with Image.open(run / "samples" / "epoch_002.png") as last:
        assert (grids[-1].width, grids[-1].height) == last.size


def _loop(folder: Path) -> SimpleNamespace:
    return SimpleNamespace(folder=SimpleNamespace(path=folder), state=SimpleNamespace(step=0))


def test_a_resumed_run_replaces_the_steps_it_repeats(tmp_path):
    from ganforge.training.tensorboard import TensorBoardObserver

    first = TensorBoardObserver()
    loop = _loop(tmp_path)
    grid = tmp_path / "grid.png"
    Image.new("L", (20, 10), 90).save(grid)
    first.on_records(loop, [{"step": s, "g_loss": 1.0, "d_loss": None} for s in range(1, 5)])
    first.on_epoch_end(loop, {"epoch": 1, "step": 4, "fd": 3.5, "grid": str(grid),
                              "eval": {"coverage": 7}, "flag": True, "note": "x"})
    first.on_records(loop, [{"step": s, "g_loss": 1.0} for s in range(5, 9)])
    first.on_epoch_end(loop, {"epoch": 2, "step": 8, "fd": 3.0})
    first.on_finish(loop)
    again = TensorBoardObserver()  # resumed from the checkpoint at step 4
    again.on_records(loop, [{"step": s, "g_loss": 2.0} for s in range(5, 9)])
    again.on_epoch_end(loop, {"epoch": 2, "step": 8, "fd": 2.5})
    again.on_finish(loop)
    events = _events(tmp_path / "tensorboard")
    logged = [(e.step, e.value) for e in events.Scalars("train/g_loss")]
    assert logged == [(1, 1.0), (2, 1.0), (3, 1.0), (4, 1.0),
                      (5, 2.0), (6, 2.0), (7, 2.0), (8, 2.0)]
    assert [(e.step, e.value) for e in events.Scalars("epoch/fd")] == [(4, 3.5), (8, 2.5)]
    assert [e.value for e in events.Scalars("epoch/eval/coverage")] == [7]
    image = events.Images("samples")[0]
    assert (image.step, image.width, image.height) == (4, 20, 10)
    scalars = events.Tags()["scalars"]
    assert "train/d_loss" not in scalars and "epoch/flag" not in scalars  # None, bool skipped


def test_missing_tensorboard_is_a_one_line_error(monkeypatch):
    from ganforge.training.tensorboard import TensorBoardObserver

    monkeypatch.setitem(sys.modules, "tensorboard", None)
    with pytest.raises(ConfigError, match=r"^--tensorboard needs the tensorboard package: "
                                          r"pip install 'ganforge\[tensorboard\]'$"):
        TensorBoardObserver()
