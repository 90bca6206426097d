"""`load_text_generator` takes a pretrained name as well as a run folder."""

import pytest

from ganforge.errors import ConfigError
from ganforge.pretrained import checkpoint_path
from ganforge.sampling.captions import load_text_generator


def test_a_pretrained_text_to_image_name_loads():
    loaded = load_text_generator("t2i-fashion")
    assert loaded.checkpoint == checkpoint_path("t2i-fashion")
    assert loaded.config.model.arch == "t2i"


@pytest.mark.parametrize(("name", "arch"), [("best-fashion", "cdcgan28"), ("mlp-mnist", "mlp")])
def test_a_pretrained_generator_without_captions_is_refused(name, arch):
    with pytest.raises(ConfigError, match=f"arch {arch} does not read captions"):
        load_text_generator(name)
