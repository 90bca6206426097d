"""config.toml without tomli_w: the run folder's own small TOML writer gives back every
preset's settings through tomllib, as tomli_w's text does, and refuses what TOML cannot say."""

import pytest
import tomli_w
import tomllib

from ganforge.config import list_presets, resolve_config
from ganforge.runs.folder import plain_toml


@pytest.mark.parametrize("preset", list_presets())
def test_every_presets_config_reads_back_as_tomli_ws_does(preset):
    data = resolve_config(preset).to_dict()
    assert tomllib.loads(plain_toml(data)) == data == tomllib.loads(tomli_w.dumps(data))


def test_odd_keys_strings_numbers_and_nested_tables_read_back():
    data = {"a key": 'quote " backslash \\ del \x7f newline \n tab \t ü 😀', "n": -3,
            "f": [1.5, float("inf"), -1e-300, 1e16, 0.1 + 0.2], "flag": False,
            "t": {"u": {"v": True, "w": []}, "x": "y"}, "empty": {}}
    assert tomllib.loads(plain_toml(data)) == data


def test_what_toml_cannot_say_is_refused():
    with pytest.raises(TypeError, match="no TOML form for NoneType"):
        plain_toml({"train": {"seed": None}})
