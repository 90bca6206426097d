"""The report as a reader sees it: headless Chromium (Debian's package, no download) opens
report.html offline, and every plot and image must have rendered, not blank."""

from __future__ import annotations

import io
import json
import shutil
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


FULL_EVAL = {"kind": "eval", "epoch": 2, "step": 8, "n": 400, "fd": 2412.33, "kid": 6606.55,
             "kid_std": 62.05, "classifier_score": 1.0000003, "coverage": 1, "num_classes": 10,
             "kl_uniform": 2.3025, "covered": [8], "precision": 0.0, "recall": 0.0,
             "fd_real": 14.157, "kid_real": -0.00956, "kid_std_real": 6.9547,
             "classifier_score_real": 9.7005, "coverage_real": 10, "kl_uniform_real": 0.00729,
             "precision_real": 0.8799999, "recall_real": 0.9075002}
# Elements sticking out of the page, but for those inside a box that scrolls sideways (that
# box itself must fit).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const inScroller = e => { for (let a = e.parentElement; a; a = a.parentElement)
                              if (scrolls(a)) return true;
                            return false; };
  const out = [...document.body.querySelectorAll('*')].filter(e => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && !inScroller(e) && (box.right > width + 0.5 || box.left < -0.5);
  }).map(e => `${e.tagName.toLowerCase()} ${Math.round(e.getBoundingClientRect().right)}px`);
  return {width, scroll: document.documentElement.scrollWidth, out};
}"""


def _overflow(browser, page_path: Path, width: int = 1280) -> dict:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(page_path.as_uri(), wait_until="load")
    found = page.evaluate(OVERFLOW)
    page.close()
    return found


def test_report_and_compare_pages_fit_1280_pixels(browser, rich_run, dcgan_run, tmp_path):
    from ganforge.report.compare import write_compare

    # long run names and every metric an evaluation writes: a wide "Final figures" table
    long_names = []
    for index, run in enumerate((rich_run, dcgan_run)):
        target = tmp_path / f"a-run-folder-with-a-rather-long-name-number-{index}-of-two"
        shutil.copytree(run, target)
        with open(target / "metrics.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(FULL_EVAL) + "\n")
        long_names.append(target)
    pages = [write_report(long_names[0], tmp_path / "report.html"),
             write_compare(long_names, tmp_path / "cmp")]
    for page_path in pages:
        found = _overflow(browser, page_path)
        assert found["out"] == [] and found["scroll"] <= found["width"], (page_path.name, found)
