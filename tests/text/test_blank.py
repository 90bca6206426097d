"""A caption of only invisible characters is blank, like an empty one."""

from __future__ import annotations

import pytest

from ganforge.text.blank import is_blank


@pytest.mark.parametrize("text", ["", " \t\n", "\u200b", "\u200b\u200c\u200d\u2060\ufeff",
                                  "\u00a0\u3000\u2028\u2029", "\u00ad", "\x00\x1b", "\u0301",
                                  "\u3164\u2800", "\ue000", "\U000e0041"])
def test_invisible_only_is_blank(text):
    assert is_blank(text)


@pytest.mark.parametrize("text", ["a", "\u200ba\u200b", "7", "é", "花", "\U0001f33c", "-"])
def test_anything_visible_is_not_blank(text):
    assert not is_blank(text)


def test_encode_captions_refuses_an_invisible_caption():
    from ganforge.errors import ConfigError
    from ganforge.sampling.captions import encode_captions

    with pytest.raises(ConfigError, match="a caption is empty"):
        encode_captions(None, ["\u200b\u200d"])  # refused before the run is looked at


def test_encode_captions_refuses_a_caption_longer_than_training_keeps():
    from ganforge.errors import ConfigError
    from ganforge.sampling.captions import encode_captions

    with pytest.raises(ConfigError, match="a caption is 1001 characters long; at most 1000"):
        encode_captions(None, ["a" * 1001])  # refused before the run is looked at


def test_a_blank_to_caption_is_named_as_to():
    from ganforge.errors import ConfigError
    from ganforge.sampling.captions import generate_from_caption

    with pytest.raises(ConfigError, match="--to is empty"):
        generate_from_caption(None, "a red mug", 2, to="\u200b ")  # before the run is read
