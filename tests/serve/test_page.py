"""One page, its controls chosen by the served run's condition."""

from __future__ import annotations

from typing import get_args

import pytest

from ganforge.model_configs import Condition
from ganforge.serve.controls import CAPTION, CONTROLS, LATENT
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
