"""The report as a reader sees it: headless Chromium (Debian's package, no download) opens
report.html offline, and every plot and image must have rendered, not blank."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganforge.report.run_report import write_report

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def test_report_renders_in_chromium(browser, rich_run, tmp_path):
    report = write_report(rich_run, tmp_path / "report.html")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(("data:", "file:")) else None)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(report.as_uri(), wait_until="load")
    images = page.eval_on_selector_all(
        "img", "els => els.map(e => ({kind: e.dataset.kind, ok: e.complete, "
        "w: e.naturalWidth, box: e.getBoundingClientRect().toJSON()}))")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    page.close()
    assert outside == [] and errors == []
    kinds = sorted(i["kind"] for i in images)
    assert kinds == sorted(["progress", "grid", "grid", "losses", "metrics",
                            "caption", "caption", "caption"])
    assert all(i["ok"] and i["w"] > 0 for i in images)
    screen = np.asarray(Image.open(io.BytesIO(shot)).convert("L"), dtype=np.float64)
    for image in images:
        box = image["box"]
        assert box["width"] > 50 and box["height"] > 50, image["kind"]
        top, left = int(box["y"]), int(box["x"])
        region = screen[top : top + int(box["height"]), left : left + int(box["width"])]
        assert region.size > 0 and region.std() > 5, f"{image['kind']} looks blank"
    # The page around the images rendered too: text and tables, not one flat colour.
    assert screen.std() > 20 and screen.shape[0] > 1500
