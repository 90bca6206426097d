"""End to end in headless Chromium: the page draws images, "New seed" and the slider change
them, a bad value shows the server's message; on a class-conditional run, a class picked in
the selector is drawn; on a text-to-image run, a typed caption and the walk to a second
caption change them. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
TIMEOUT_MS = 20_000


def _expected(console_error: str) -> bool:
    """Chromium logs each 4xx answer; the refused-value test asks for one 422."""
    return "status of 422" in console_error


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                              headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _open(browser, server_url: str):
    tab = browser.new_page(viewport={"width": 1100, "height": 1400})
    tab.set_default_timeout(TIMEOUT_MS)
    tab.problems = []  # console errors and requests that leave the server
    tab.on("console", lambda m: m.type == "error" and not _expected(m.text)
           and tab.problems.append(m.text))
    tab.on("request", lambda r: r.url.startswith((server_url, "blob:"))
           or tab.problems.append(r.url))
    tab.goto(server_url + "/")
    return tab


@pytest.fixture(scope="module")
def page(browser, server_url):
    tab = _open(browser, server_url)
    yield tab
    tab.close()


@pytest.fixture(scope="module")
def text_page(browser, text_server_url):
    tab = _open(browser, text_server_url)
    yield tab
    tab.close()


def _wait_version(page, img: str, old: int) -> None:
    """Wait until the image has loaded again (a selector wait: the page's CSP forbids eval)."""
    from playwright.sync_api import expect

    expect(page.locator(f"#{img}")).not_to_have_attribute("data-version", str(old),
                                                          timeout=TIMEOUT_MS)


def _pixels(page, img: str) -> bytes:
    return page.locator(f"#{img}").screenshot()


def _drawn(page, img: str) -> str:
    """The image's own pixels (a PNG data URL through a canvas), whatever size it is shown
    at: two images at different sub-pixel positions can be rastered differently."""
    return page.eval_on_selector(f"#{img}", """el => {
        const canvas = document.createElement("canvas");
        canvas.width = el.naturalWidth; canvas.height = el.naturalHeight;
        canvas.getContext("2d").drawImage(el, 0, 0);
        return canvas.toDataURL("image/png"); }""")


def test_page_draws_samples_and_new_seed_changes_them(page):
    _wait_version(page, "grid", 0)
    assert "fully connected GAN" in page.locator("#model").inner_text()
    assert "on mnist" in page.locator("#model").inner_text()
    assert "It learned from mnist" in page.locator("#data-note").inner_text()
    seed_before = page.input_value("#seed")
    before = _pixels(page, "grid")
    page.click("#new-seed")
    _wait_version(page, "grid", 1)
    assert page.input_value("#seed") != seed_before
    assert _pixels(page, "grid") != before
    assert page.locator("#error").is_hidden()


def _slide_to_the_end_and_keep_a_screenshot(page, start: bytes, name: str) -> None:
    """Move the walk slider to t = 1: the walk image must change from `start`; then save a
    screenshot of the page as a test artefact."""
    version = int(page.get_attribute("#walk", "data-version"))
    page.eval_on_selector(
        "#t", "el => { el.value = '1'; el.dispatchEvent(new Event('input', {bubbles: true})); }")
    _wait_version(page, "walk", version)
    assert page.locator("#t-value").inner_text() == "1.00"
    assert _pixels(page, "walk") != start
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    assert (ARTIFACTS / name).stat().st_size > 1000


def test_slider_walks_between_the_seeds(page):
    _wait_version(page, "walk", 0)
    _slide_to_the_end_and_keep_a_screenshot(page, _pixels(page, "walk"), "serve_page.png")


def test_a_refused_value_shows_the_server_message(page):
    page.fill("#n", "65")
    page.eval_on_selector("#sample-form", "form => form.requestSubmit()")
    page.wait_for_selector("#error:not([hidden])")
    assert "n: Input should be less than or equal to 64" in page.inner_text("#error")
    page.fill("#n", "16")
    page.click("#draw")
    page.wait_for_selector("#error", state="hidden")


def test_nothing_left_the_server_and_no_script_errors(page):
    assert page.problems == []


@pytest.fixture(scope="module")
def class_page(browser, class_server_url):
    tab = _open(browser, class_server_url)
    yield tab
    tab.close()


def _grey(png: bytes | str) -> np.ndarray:
    """The grey pixels of a PNG, given as bytes or as a data URL."""
    import base64
    import io

    from PIL import Image

    if isinstance(png, str):
        png = base64.b64decode(png.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"))


def _is_draw(response) -> bool:
    return response.url.endswith("/api/generate") and response.request.method == "POST"


def test_picking_a_class_draws_that_class(class_page, class_server_url):
    """best-fashion: "Ankle boot" in the selector draws what `ganforge sample --class
    'Ankle boot'` draws for the page's seed and count, and the address keeps the class."""
    from ganforge.sampling.generator import generate, load_generator
    from ganforge.serve.png import grid_png

    page = class_page
    _wait_version(page, "grid", 0)
    assert page.input_value("#class") == ""  # any: the class comes from the noise
    assert "and one of 10 classes" in page.locator("#model").inner_text()
    version = int(page.get_attribute("#grid", "data-version"))
    with page.expect_response(_is_draw) as answer:
        page.select_option("#class", "Ankle boot")
    _wait_version(page, "grid", version)
    seed, n = int(page.input_value("#seed")), int(page.input_value("#n"))
    assert answer.value.request.post_data_json["class"] == "Ankle boot"
    boots = _grey(grid_png(generate(load_generator("best-fashion"), n, seed=seed,
                                    class_name="Ankle boot")))
    assert np.array_equal(_grey(_drawn(page, "grid")), boots)
    assert "class=Ankle+boot" in page.url
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "serve_class_page.png"), full_page=True)
    with page.expect_response(_is_draw) as again:  # a shared address draws the same again
        page.goto(f"{class_server_url}/?seed={seed}&n={n}&class=9")
    assert again.value.request.post_data_json["class"] == "9"
    _wait_version(page, "grid", 0)
    assert page.input_value("#class") == "9"
    assert np.array_equal(_grey(_drawn(page, "grid")), boots)
    assert page.locator("#error").is_hidden() and page.problems == []


def test_a_typed_caption_draws_new_images(text_page):
    page = text_page
    _wait_version(page, "grid", 0)  # the first example caption, drawn at start
    assert "images from a caption and a seed" in page.locator("#model").inner_text()
    first = page.input_value("#caption")
    assert first and page.input_value("#caption-to")
    version = int(page.get_attribute("#grid", "data-version"))
    before = _pixels(page, "grid")
    page.fill("#caption", "a yellow flower with a stem")
    page.click("#generate")
    _wait_version(page, "grid", version)
    assert _pixels(page, "grid") != before
    assert page.locator("#error").is_hidden()


def test_the_slider_walks_to_the_second_caption(text_page):
    page = text_page
    page.fill("#caption-to", "this flower has white petals")
    version = int(page.get_attribute("#walk", "data-version"))
    page.click("#walk-draw")
    _wait_version(page, "walk", version)
    start = _pixels(page, "walk")
    assert _drawn(page, "walk") == _drawn(page, "grid")  # t = 0: the first caption's images
    _slide_to_the_end_and_keep_a_screenshot(page, start, "serve_text_page.png")


def test_a_blank_caption_shows_the_server_message(text_page):
    page = text_page
    page.fill("#caption", "   ")
    page.click("#generate")
    page.wait_for_selector("#error:not([hidden])")
    assert "caption: the caption is empty or only spaces" in page.inner_text("#error")
    assert text_page.problems == []


@pytest.fixture(scope="module")
def flowers_page(browser, flowers_server_url):
    tab = _open(browser, flowers_server_url)
    yield tab
    tab.close()


def _colour_shares(png: bytes) -> dict[str, float]:
    """The shares of a screenshot's pixels that are clearly red, blue or saturated at all."""
    import io

    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return {"red": float(((r > g + 60) & (r > b + 60)).mean()),
            "blue": float(((b > r + 60) & (b > g + 30)).mean()),
            "saturated": float((rgb.max(-1) - rgb.min(-1) > 60).mean())}


def _draw_caption(page, caption: str) -> bytes:
    version = int(page.get_attribute("#grid", "data-version"))
    page.fill("#caption", caption)
    page.click("#generate")
    _wait_version(page, "grid", version)
    return _pixels(page, "grid")


def test_the_shipped_flowers_draw_the_colour_a_typed_caption_names(flowers_page):
    """`ganforge serve --pretrained t2i-synthetic-flowers`: colour images, and the petal
    colour the typed caption names (a screenshot of each is kept as a test artefact)."""
    page = flowers_page
    ARTIFACTS.mkdir(exist_ok=True)
    _wait_version(page, "grid", 0)
    red = _colour_shares(_draw_caption(page, "this flower has red petals"))
    page.screenshot(path=str(ARTIFACTS / "serve_flowers_red.png"), full_page=True)
    blue = _colour_shares(_draw_caption(page, "this flower has blue petals"))
    page.screenshot(path=str(ARTIFACTS / "serve_flowers_blue.png"), full_page=True)
    assert red["saturated"] > 0.2 and blue["saturated"] > 0.2  # colour, not grey
    assert red["red"] > 3 * red["blue"] and blue["blue"] > 3 * blue["red"]
    assert page.locator("#error").is_hidden() and page.problems == []


def test_the_shipped_flowers_draw_a_colour_named_by_a_held_out_word(flowers_page):
    """A colour name no training caption holds ("dark periwinkle", a blue of the XKCD
    survey, held out of synthetic-flowers' words), typed as a person would: blue petals."""
    from ganforge.data.synthetic_flowers.vocabulary import HELD_OUT, WORDS

    assert "dark periwinkle" in HELD_OUT and "dark periwinkle" in WORDS["petal_colour"]["blue"]
    page = flowers_page
    _wait_version(page, "grid", 0)
    drawn = _colour_shares(_draw_caption(page, "draw a flower with dark periwinkle petals"))
    page.screenshot(path=str(ARTIFACTS / "serve_flowers_periwinkle.png"), full_page=True)
    assert drawn["saturated"] > 0.2 and drawn["blue"] > 3 * drawn["red"]
    assert page.locator("#error").is_hidden() and page.problems == []
