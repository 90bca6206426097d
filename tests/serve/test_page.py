"""One page, its controls chosen by the served run's condition."""

from __future__ import annotations

from typing import get_args

import pytest

from ganforge.model_configs import Condition
from ganforge.serve.controls import CAPTION, CLASS, CONTROLS, LATENT
from ganforge.serve.page import render_page


def test_every_condition_has_controls():
    assert set(CONTROLS) == set(get_args(Condition))


@pytest.mark.parametrize("condition", ["none", "class"])
def test_a_run_without_captions_gets_the_latent_walk(condition):
    html, _ = render_page(condition)
    assert 'id="seed-a"' in html and 'id="method"' in html
    assert 'id="caption"' not in html and "caption_to" not in html


def test_a_text_run_gets_the_caption_boxes_around_the_same_shell():
    html, policy = render_page("text")
    assert 'id="caption"' in html and 'id="caption-to"' in html and 'id="seed-a"' not in html
    shell = render_page("none")[0]
    for shared in ('id="model"', 'id="error"', 'id="seed"', 'id="n"', "function load("):
        assert shared in html and shared in shell
    assert "@SEED_AND_COUNT@" not in html + shell
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in html and CAPTION.style in html
    assert LATENT.style == "" and CAPTION.script not in shell


def test_a_class_conditional_run_gets_a_class_selector_of_its_classes():
    html, _ = render_page("class", ["T-shirt/top", "Ankle boot", 'a <b> & "c"'])
    assert CONTROLS["class"] is CLASS and 'id="seed-a"' in html
    start = html.index('<select id="class">')
    select = html[start:html.index("</select>", start)]
    assert select.split("<option")[1:] == [
        ' value="">any (from the noise)</option>\n      ',
        ' value="T-shirt/top">T-shirt/top</option>\n      ',
        ' value="Ankle boot">Ankle boot</option>\n      ',
        ' value="a &lt;b&gt; &amp; &quot;c&quot;">a &lt;b&gt; &amp; &quot;c&quot;</option>']
    assert "@CLASS" not in html and "Every walk draws the class chosen above" in html


@pytest.mark.parametrize("condition", ["none", "text"])
def test_only_a_class_conditional_run_gets_the_selector(condition):
    html, _ = render_page(condition, ["Bag"])
    assert 'id="class"' not in html and "any (from the noise)" not in html
    assert "@CLASS" not in html and 'value="Bag"' not in html


def test_the_served_page_offers_the_model_s_classes(class_client, client):
    page = class_client.get("/")
    assert page.status_code == 200
    for name in ("T-shirt/top", "Sneaker", "Ankle boot"):
        assert f'<option value="{name}">{name}</option>' in page.text
    assert page.text.index(">Trouser<") < page.text.index(">Ankle boot<")  # index order
    assert '<select id="class">' not in client.get("/").text
