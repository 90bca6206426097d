"""A folder of the user's own images, end to end: a few hundred procedural images of mixed
sizes and modes in class subfolders, with captions in metadata.jsonl; `dcgan`, `cdcgan` and
`t2i` each train a few steps on it, then sample, report and serve from the run."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from ganforge.cli import main
from tests.data.folder.conftest import make_folder

RUNS = {
    "dcgan": ["--arch", "dcgan", "--width", "8", "--image-size", "32"],
    "cdcgan": ["--arch", "cdcgan", "--width", "8", "--image-size", "32"],
    "t2i": ["--arch", "t2i", "--width", "4", "--text-encoder", "hashing", "--image-size", "64"],
    # captions alone (no class subfolders): no class head
    "t2i-captions": ["--arch", "t2i", "--width", "4", "--text-encoder", "hashing"],
}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("folder-runs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(base / "cache"))
        make_folder(base / "shapes", 240, ("circles", "squares", "stars"), "jsonl")
        make_folder(base / "captions", 200, (), "jsonl")
        yield base


@pytest.fixture(scope="module", params=list(RUNS))
def run(request, home: Path) -> Path:
    out = home / f"run-{request.param}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(home / "cache"))
        data = home / ("captions" if request.param == "t2i-captions" else "shapes")
        code = main(["train", "--dataset", str(data), *RUNS[request.param],
                     "--batch-size", "16", "--max-steps", "3", "--eval-every", "0",
                     "--no-progress", "--out", str(out)])
    assert code == 0
    return out


def test_run_records_how_the_folder_was_prepared(run: Path, home: Path):
    import tomllib

    config = tomllib.loads((run / "config.toml").read_text())
    assert config["data"]["dataset"] == str(home / "shapes") or run.name.endswith("captions")
    size = config["data"]["image_size"]
    assert size == config["model"]["image_size"] and config["model"]["channels"] == 3
    if run.name.endswith("captions"):
        assert size == 64 and config["model"]["num_classes"] == 0  # t2i's own size, no head
    elif run.name.endswith("cdcgan") or run.name.endswith("t2i"):
        assert config["model"]["num_classes"] == 3  # the three class subfolders


def test_sample_and_report(run: Path, home: Path, tmp_path: Path):
    from PIL import Image

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(home / "cache"))
        grid = tmp_path / "grid.png"
        args = ["sample", str(run), "-n", "4", "--out", str(grid)]
        if "t2i" in run.name:
            args = ["generate", str(run), "a bright disc", "-n", "4", "--out", str(grid)]
        assert main(args) == 0
        assert np.asarray(Image.open(grid)).std() > 0
        assert main(["report", str(run), "--out", str(tmp_path / "report.html")]) == 0
    html = (tmp_path / "report.html").read_text()
    assert str(home / ("captions" if run.name.endswith("captions") else "shapes")) in html


def test_serve_draws_from_the_run(run: Path, home: Path):
    pytest.importorskip("fastapi")
    from ganforge.serve.app import create_app
    from ganforge.serve.assembly import load_service

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(home / "cache"))
        service = load_service(run)
        body = {"n": 2, "seed": 1}
        if "t2i" in run.name:
            body["caption"] = "a dark disc"
        with TestClient(create_app(service), base_url="http://127.0.0.1") as client:
            answer = client.post("/api/generate", json=body)
    assert answer.status_code == 200 and answer.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_resume_finds_the_prepared_folder_in_the_cache(run: Path, home: Path):
    entries = sorted((home / "cache" / "ganforge" / "folders").iterdir())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(home / "cache"))
        assert main(["train", "--resume", str(run), "--max-steps", "4", "--no-progress"]) == 0
    assert sorted((home / "cache" / "ganforge" / "folders").iterdir()) == entries


def test_evaluate_judges_a_folder_run_as_a_built_in_set(real_data_root, tmp_path, capsys,
                                                        monkeypatch):
    """A folder of MNIST digits trains like any folder; `evaluate --dataset mnist` scores
    it with MNIST's evaluator, and a set of another image shape is refused in one line."""
    from PIL import Image

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    digits = load_digits(60)
    for i, image in enumerate(digits):
        (tmp_path / "digits").mkdir(exist_ok=True)
        Image.fromarray(image, "L").save(tmp_path / "digits" / f"{i:03d}.png")
    out = tmp_path / "run"
    assert main(["train", "--dataset", str(tmp_path / "digits"), "--arch", "dcgan28",
                 "--batch-size", "16", "--max-steps", "2", "--eval-every", "0",
                 "--no-progress", "--out", str(out)]) == 0
    assert main(["evaluate", str(out), "--dataset", "mnist", "--n", "200"]) == 0
    assert "200 samples (seed 0) of mnist" in capsys.readouterr().out
    assert main(["evaluate", str(out), "--dataset", "stacked-mnist", "--n", "200"]) == 2
    assert "images are 3x28x28, the run draws 1x28x28" in capsys.readouterr().err


def load_digits(count: int) -> np.ndarray:
    from ganforge.data import load_dataset

    return load_dataset("mnist", "test", limit=count).images[:, 0].numpy()
