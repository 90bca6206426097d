"""The class names a class-conditional model is served with, and the answer to an unknown
class."""

from __future__ import annotations

import dataclasses

import pytest

from ganforge.sampling.generator import load_generator
from ganforge.serve.classes import SHOWN, served_classes, unknown_class
from ganforge.serve.service import RequestError


@pytest.fixture(scope="module")
def fashion():
    return load_generator("best-fashion")


def _with(loaded, dataset: str, classes):
    data = dataclasses.replace(loaded.config.data, dataset=dataset)
    config = dataclasses.replace(loaded.config, data=data)
    return dataclasses.replace(loaded, config=config, classes=classes)


def test_the_recorded_names_come_first(fashion):
    recorded = tuple(f"kind {i}" for i in range(10))
    assert served_classes(_with(fashion, "fashion-mnist", recorded)) == recorded
    assert served_classes(fashion)[:2] == ("T-shirt/top", "Trouser")  # the built-in set's


def test_a_folder_run_without_recorded_names_is_served_by_index(fashion, tmp_path):
    folder = tmp_path / "shoes"  # never read: a server prepares no folder
    assert served_classes(_with(fashion, str(folder), None)) == tuple(str(i) for i in range(10))
    assert not folder.exists()
    assert served_classes(_with(fashion, str(folder), ("boot", "clog"))) == (
        "boot", "clog", *map(str, range(2, 10)))


def test_an_unknown_class_names_a_few_classes_and_their_number():
    flowers = tuple(f"flower {i}" for i in range(102))
    msg = unknown_class("tulip", flowers)
    assert msg.startswith("unknown class 'tulip'; the classes are 'flower 0', ")
    assert f"'flower {SHOWN - 1}', ... (102 in all, listed by GET /api/info)" in msg
    assert f"'flower {SHOWN}'" not in msg and msg.endswith("or their index 0..101")
    long = unknown_class("x" * 500, ("a", "b"))
    assert len(long) < 200 and "..." in long and "or their index 0..1" in long


def test_a_close_spelling_is_offered():
    assert "did you mean 'Sneaker'?" in unknown_class("Sneakers", ("Sneaker", "Sandal"))
    assert "did you mean" not in unknown_class("zz", ("Sneaker", "Sandal"))


def test_the_class_input_refuses_what_it_cannot_draw(fashion):
    from ganforge.serve.inputs import ClassInput

    choice = ClassInput(fashion)
    assert int(choice.class_of("Bag")) == 8 and choice.class_of(None) is None
    with pytest.raises(RequestError, match="^class: unknown class 'Bags'") as refused:
        choice.for_generate(None, None, None, "Bags")
    assert refused.value.field == "class"
    with pytest.raises(RequestError, match="^caption_to: this model is not text-conditioned"):
        choice.checked(None, "a bag", None, "Bag")


def test_a_json_integer_is_an_index_even_where_a_class_is_named_by_digits(fashion):
    from ganforge.serve.inputs import ClassInput

    choice = ClassInput(_with(fashion, "/data/numbered", tuple("1 0 3 2 4 5 6 7 8 9".split())))
    assert int(choice.class_of(0)) == 0 and int(choice.class_of("0")) == 1
    assert int(choice.class_of(3)) == 3 and int(choice.class_of("3")) == 2


def test_names_that_differ_only_in_case_or_end_spaces_are_each_reachable(fashion):
    from ganforge.serve.inputs import ClassInput

    classes = (" x", "x", "Cat", "cat", *map(str, range(4, 10)))
    choice = ClassInput(_with(fashion, "/data/twins", classes))
    assert [int(choice.class_of(n)) for n in (" x", "x", "Cat", "cat")] == [0, 1, 2, 3]
    with pytest.raises(RequestError, match="^class: class 'CAT' could be any of 'Cat', 'cat': "
                                           r"give one exactly as written, or its index \(2, 3\)"):
        choice.class_of("CAT")
    with pytest.raises(RequestError, match="could be any of ' x', 'x'"):
        choice.class_of("x ")


def test_the_selector_shows_end_spaces_in_quotes():
    from ganforge.serve.page import class_options

    html = class_options((" x", "x", "<b>"))
    assert '<option value=" x">&quot; x&quot;</option>' in html
    assert '<option value="x">x</option>' in html and "&lt;b&gt;" in html
