"""`ganforge.train()` is the command line as a function: with eval_every it writes the same
eval records, eval.png and best checkpoint as `ganforge train`, because both assemble the run
in one place (ganforge.api). `ganforge.show` makes a grid a notebook displays inline."""

from __future__ import annotations

import json

import numpy as np
import pytest

TINY = {"limit": "256", "batch_size": "64", "epochs": "2", "log_every": "2",
        "g_hidden": "32,64", "d_hidden": "64,32", "eval_every": "1", "eval_samples": "400"}


def _records(run, kind):
    lines = (run / "metrics.jsonl").read_text().splitlines()
    return [r for r in map(json.loads, lines) if r["kind"] == kind]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None or not REAL_DATA_ROOT.is_dir():
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    import ganforge
    from ganforge.cli import main

    root = tmp_path_factory.mktemp("api-train")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GANFORGE_DATA", str(REAL_DATA_ROOT))
        mp.setenv("GANFORGE_NO_DOWNLOAD", "1")
        config = ganforge.resolve_config("mlp-mnist", overrides=TINY)
        api = ganforge.train(config, root / "api", progress=False)
        options = [a for k, v in TINY.items() for a in (f"--{k.replace('_', '-')}", v)]
        assert main(["train", "--preset", "mlp-mnist", *options, "--out", str(root / "cli"),
                     "--no-progress"]) == 0
    return api, root / "cli"


def test_the_api_writes_the_eval_records_of_the_cli(both):
    api, cli = both
    evals = _records(api, "eval")
    assert [r["epoch"] for r in evals] == [1, 2] and "fd" in evals[0]
    assert evals == _records(cli, "eval")
    assert _records(api, "step") == _records(cli, "step")


def test_the_api_writes_the_eval_plot_and_best_checkpoint_of_the_cli(both):
    api, cli = both
    assert (api / "eval.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (api / "eval.png").read_bytes() == (cli / "eval.png").read_bytes()
    best_api = json.loads((api / "checkpoints" / "best.json").read_text())
    best_cli = json.loads((cli / "checkpoints" / "best.json").read_text())
    assert best_api["sha256"] == best_cli["sha256"]
    assert best_api["summary"]["fd"] == best_cli["summary"]["fd"]


def test_the_cli_and_the_api_assemble_the_run_in_one_place(monkeypatch, tmp_path):
    """cli/train.py trains through ganforge.api.train, which ganforge.train is."""
    import ganforge
    import ganforge.api
    from ganforge.cli import main

    seen = []
    monkeypatch.setattr(ganforge.api, "train", lambda config, out, **kw: seen.append(kw) or out)
    assert main(["train", "--preset", "mlp-mnist", "--out", str(tmp_path / "r")]) == 0
    assert seen and seen[0]["tensorboard"] is False
    monkeypatch.undo()
    assert ganforge.train is ganforge.api.train


def test_show_gives_a_grid_a_notebook_displays():
    import torch

    import ganforge

    images = torch.linspace(-1, 1, 8 * 1 * 28 * 28).reshape(8, 1, 28, 28)
    grid = ganforge.show(images, nrow=4)
    png = grid._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = grid.size
    assert width == (4 * 30 + 2) * (512 // 122) and height == (2 * 30 + 2) * (512 // 122)
    assert "8 images" in repr(grid)
    colour = ganforge.show(np.zeros((3, 64, 64, 3), np.uint8), nrow=3, scale=1)
    assert colour.size == (3 * 66 + 2, 66 + 2) and colour.pixels.shape[-1] == 3


def test_show_saves_the_same_png(tmp_path):
    import torch

    import ganforge

    grid = ganforge.show(torch.zeros(4, 3, 8, 8))
    assert grid.save(tmp_path / "g.png").read_bytes() == grid.png()
