"""Tiny real runs shared by the report tests (trained once per session), and a copy of one
dressed up with fabricated evaluation records, a best checkpoint and a caption table."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

TINY = {"limit": "128", "batch_size": "32", "eval_every": "0"}
MLP = {**TINY, "epochs": "3", "g_hidden": "32,64", "d_hidden": "64,32"}
DCGAN = {**TINY, "epochs": "2", "limit": "64"}
CAPTIONS = ["a red flower with <b>five</b> petals & a yellow centre",
            "white petals, long stamen", "purple bell-shaped flower"]


@pytest.fixture(scope="session")
def report_data_root() -> Iterator[Path]:
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None or not REAL_DATA_ROOT.is_dir():
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    mp = pytest.MonkeyPatch()
    mp.setenv("GANFORGE_DATA", str(REAL_DATA_ROOT))
    mp.setenv("GANFORGE_NO_DOWNLOAD", "1")
    yield REAL_DATA_ROOT
    mp.undo()


def _train(preset: str, overrides: dict[str, str], out: Path) -> Path:
    from ganforge.config import resolve_config
    from ganforge.training.run import train

    return train(resolve_config(preset, overrides=overrides), out, progress=False)


@pytest.fixture(scope="session")
def mlp_run(tmp_path_factory, report_data_root) -> Path:
    """mlp-mnist, 3 epochs of 4 steps."""
    return _train("mlp-mnist", MLP, tmp_path_factory.mktemp("report-runs") / "mlp")


@pytest.fixture(scope="session")
def dcgan_run(tmp_path_factory, report_data_root) -> Path:
    """dcgan-mnist, 2 epochs of 2 steps."""
    return _train("dcgan-mnist", DCGAN, tmp_path_factory.mktemp("report-runs") / "dcgan")


def eval_record(epoch: int) -> dict:
    return {"kind": "eval", "epoch": epoch, "step": 4 * epoch, "n": 500,
            "fd": 120.0 / epoch, "fd_real": 4.5, "kid": 0.2 / epoch, "kid_real": 0.004,
            "coverage": 3 + epoch, "precision": 0.3 * epoch, "note": "text is ignored"}


@pytest.fixture(scope="session")
def rich_run(tmp_path_factory, mlp_run) -> Path:
    """A copy of the mlp run with eval records, best.json (epoch 1) and captions.json."""
    run = tmp_path_factory.mktemp("report-rich") / "rich"
    shutil.copytree(mlp_run, run, ignore=shutil.ignore_patterns("report.html"))
    with open(run / "metrics.jsonl", "a", encoding="utf-8") as fh:
        for epoch in (1, 2):
            fh.write(json.dumps(eval_record(epoch)) + "\n")
    (run / "checkpoints" / "best.json").write_text(json.dumps(
        {"epoch": 1, "step": 4, "summary": {"epoch": 1, "fd": 120.0}}))
    entries = []
    for index, caption in enumerate(CAPTIONS):
        image = f"samples/captions_{index:03d}.png"
        shutil.copy(run / "samples" / f"epoch_00{1 + index % 2}.png", run / image)
        entries.append({"caption": caption, "image": image})
    (run / "captions.json").write_text(json.dumps(entries))
    return run


class PageParser(HTMLParser):
    """Collects every tag with its attributes, and the page's visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def images(self, kind: str | None = None) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == "img" and kind in (None, a.get("data-kind"))]


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def decode_data_uri(uri: str) -> tuple[str, bytes]:
    import base64

    head, payload = uri.split(",", 1)
    assert head.startswith("data:") and head.endswith(";base64")
    return head[5:-7], base64.b64decode(payload, validate=True)


def assert_self_contained(path: Path, parser: PageParser) -> None:
    """No URL of any kind except inline data: every src/href is a data: URI."""
    raw = path.read_text(encoding="utf-8")
    assert "http://" not in raw and "https://" not in raw and "url(" not in raw
    for _, attrs in parser.tags:
        for name in ("src", "href", "srcset", "action", "poster"):
            if attrs.get(name) is not None:
                assert attrs[name].startswith("data:"), attrs[name][:60]
    assert not any(t in ("script", "link", "iframe", "object", "embed") for t, _ in parser.tags)
