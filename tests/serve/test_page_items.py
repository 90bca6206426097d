"""The page's items in headless Chromium, at a phone's width (390x844) and a desktop's
(1280x800), on the shipped 64x64 flowers model and on the small MNIST run: images enlarged
(crisp or smooth, the user's choice), example captions to click, a gallery of the last
results, the seed and caption in the address, the note on the training data, and the warning
for a caption far from the training captions. Screenshots go to docs/images/."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.serve.test_browser import CHROMIUM_ARGS, TIMEOUT_MS, browser  # noqa: F401

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
FAR, NEAR = "a bowl of soup", "a small deep blue flower"


def _open(browser, server: str, query: str, size: str):  # noqa: F811
    """A tab of `size` on the server's page with `query`, noting console errors and any
    request that leaves the server."""
    tab = browser.new_page(viewport=WIDTHS[size])
    tab.set_default_timeout(TIMEOUT_MS)
    tab.problems = []
    tab.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))
    tab.on("request", lambda r: r.url.startswith((server, "blob:"))
           or tab.problems.append(r.url))
    tab.goto(f"{server}/?{query}")
    return tab


def _version(tab, img: str = "grid") -> int:
    return int(tab.get_attribute(f"#{img}", "data-version"))


def _wait_past(tab, old: int, img: str = "grid") -> None:
    from playwright.sync_api import expect

    expect(tab.locator(f"#{img}")).not_to_have_attribute("data-version", str(old),
                                                         timeout=TIMEOUT_MS)


def _generate(tab, caption: str) -> None:
    old = _version(tab)
    tab.fill("#caption", caption)
    tab.click("#generate")
    _wait_past(tab, old)


def _scale(tab, img: str = "grid") -> float:
    """Shown width over the PNG's own width."""
    shown, natural = tab.eval_on_selector(f"#{img}", "el => [el.getBoundingClientRect().width, "
                                                     "el.naturalWidth]")
    return shown / natural


def _query(tab) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(tab.url).query).items()}


@pytest.fixture(params=list(WIDTHS))
def flowers(request, browser, flowers_server_url):  # noqa: F811
    tab = _open(browser, flowers_server_url, f"caption={quote(NEAR)}&seed=42&n=4",
                request.param)
    _wait_past(tab, 0)
    yield tab, request.param
    assert tab.problems == []
    tab.close()


def test_the_address_sets_and_keeps_the_caption_and_seed(flowers):
    tab, _ = flowers
    assert (tab.input_value("#caption"), tab.input_value("#seed"), tab.input_value("#n")) == \
        (NEAR, "42", "4")
    assert _query(tab) == {"caption": NEAR, "seed": "42", "n": "4"}
    old = _version(tab)
    tab.click("#new-seed")
    _wait_past(tab, old)
    assert _query(tab)["seed"] == tab.input_value("#seed") != "42"
    assert tab.get_attribute("#share", "href").endswith(urlsplit(tab.url).query)


def test_64_px_images_are_enlarged_crisp_or_smooth(flowers):
    tab, size = flowers
    assert tab.eval_on_selector("#grid", "el => el.naturalWidth") == 2 * 66 + 2
    crisp = _scale(tab)
    assert crisp >= 2 and crisp == int(crisp)  # whole factors: every pixel the same square
    assert tab.eval_on_selector("#grid", "el => getComputedStyle(el).imageRendering") == \
        "pixelated"
    tab.select_option("#scaling", "smooth")
    assert tab.eval_on_selector("#grid", "el => getComputedStyle(el).imageRendering") == "auto"
    assert _scale(tab) >= crisp
    tab.screenshot(path=str(IMAGES / f"serve_flowers_smooth_{size}.png"), full_page=True)
    tab.reload()  # the choice is kept in the browser
    _wait_past(tab, 0)
    _wait_past(tab, 0, "walk")
    assert tab.input_value("#scaling") == "smooth"
    tab.select_option("#scaling", "crisp")
    assert _scale(tab) == crisp
    tab.screenshot(path=str(IMAGES / f"serve_flowers_{size}.png"), full_page=True)


def test_example_captions_draw_with_a_click_and_the_data_note_shows(flowers):
    tab, _ = flowers
    chips = tab.locator("#example-row button")
    assert 3 <= chips.count() <= 10 and tab.locator("#example-row").is_visible()
    second = chips.nth(1).inner_text()
    old = _version(tab)
    chips.nth(1).click()
    _wait_past(tab, old)
    assert tab.input_value("#caption") == second == _query(tab)["caption"]
    note = tab.locator("#data-note")
    assert note.is_visible() and "drawings made by a program" in note.inner_text()
    assert "synthetic-flowers" in note.inner_text()


def test_a_far_caption_is_drawn_with_a_gentle_warning(flowers):
    tab, size = flowers
    warning = tab.locator("#caption-warning")
    assert warning.is_hidden()
    _generate(tab, FAR)
    assert warning.is_visible()
    text = warning.inner_text()
    assert "far from anything the model was trained on" in text and "closest" in text
    tab.screenshot(path=str(IMAGES / f"serve_flowers_far_{size}.png"), full_page=True)
    _generate(tab, "a red flower")
    assert warning.is_hidden()


def test_the_gallery_keeps_the_last_results_and_draws_one_again(flowers):
    tab, size = flowers
    for caption in ("a red flower", "a white flower with a yellow centre", "a big pink flower"):
        _generate(tab, caption)
    entries = tab.locator("#gallery button")
    assert entries.count() == 4 and tab.locator("#gallery-section").is_visible()
    assert "a big pink flower" in entries.nth(0).inner_text()
    assert NEAR in entries.nth(3).inner_text()
    tab.screenshot(path=str(IMAGES / f"serve_flowers_gallery_{size}.png"), full_page=True)
    old = _version(tab)
    entries.nth(3).click()
    _wait_past(tab, old)
    assert (tab.input_value("#caption"), tab.input_value("#seed")) == (NEAR, "42")
    assert _query(tab)["caption"] == NEAR
    for i in range(8):
        _generate(tab, f"a flower with {['four', 'five', 'six', 'eight'][i % 4]} petals "
                       f"{'and a black centre' if i >= 4 else ''}".strip())
    assert entries.count() == 8  # the last 8 only


@pytest.mark.parametrize("size", list(WIDTHS))
def test_the_latent_page_enlarges_and_shares_its_seed(browser, server_url, size):  # noqa: F811
    tab = _open(browser, server_url, "seed=7&n=9", size)
    _wait_past(tab, 0)
    assert (tab.input_value("#seed"), tab.input_value("#n")) == ("7", "9")
    assert _scale(tab) >= 2
    old = _version(tab)
    tab.click("#new-seed")
    _wait_past(tab, old)
    assert _query(tab)["seed"] == tab.input_value("#seed")
    assert tab.locator("#gallery button").count() == 2
    assert "It learned from mnist" in tab.locator("#data-note").inner_text()
    assert tab.problems == []
    tab.close()
