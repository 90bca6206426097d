"""Sampling a class-conditional run: `ganforge sample --class`, and its one-line errors."""

import pytest
import torch

from ganforge.config import resolve_config
from ganforge.errors import ConfigError
from ganforge.models.cdcgan28 import classes_from_noise
from ganforge.models.noise import sample_noise
from ganforge.sampling.generator import generate, load_generator, load_pretrained
from ganforge.training.run import train
from tests.test_cli import _one_line_error, ganforge


@pytest.fixture(scope="module")
def conditional_run(tmp_path_factory):
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None:
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    out = tmp_path_factory.mktemp("cond") / "run"
    config = resolve_config("best-fashion", overrides={
        "limit": "128", "epochs": "1", "eval_every": "0", "data_dir": str(REAL_DATA_ROOT)})
    train(config, out, progress=False)
    return out


def test_class_draws_every_image_for_that_class(conditional_run):
    loaded = load_generator(conditional_run)
    got = generate(loaded, 6, seed=3, class_name="Ankle boot")
    z = sample_noise(6, 100, "normal", generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        assert torch.equal(got, loaded.generator(z, torch.full((6,), 9)))
        assert torch.equal(generate(loaded, 6, seed=3, class_name="9"), got)
        # without --class, each image has the class its noise picks
        own = loaded.generator(z, classes_from_noise(z, 10))
        assert torch.equal(generate(loaded, 6, seed=3), own)
    assert not torch.equal(generate(loaded, 6, seed=3, class_name="Trouser"), got)


def test_unknown_class_is_a_config_error(conditional_run):
    with pytest.raises(ConfigError, match="unknown class 'boot'"):
        generate(load_generator(conditional_run), 2, class_name="boot")


def test_cli_class_option_and_its_errors(conditional_run, tmp_path):
    r = ganforge("sample", conditional_run, "-n", 4, "--class", "sneaker", "--format", "npz",
                 "--out", tmp_path / "s.npz")
    assert r.returncode == 0, r.stderr
    _one_line_error(ganforge("sample", conditional_run, "-n", 4, "--class", "11",
                             "--out", tmp_path / "x.png"), "unknown class '11'")
    _one_line_error(ganforge("sample", "--pretrained", "dcgan-fashion", "-n", 4, "--class", "3",
                             "--out", tmp_path / "x.png"), "needs a class-conditional generator")


def test_load_generator_takes_a_pretrained_name_and_an_existing_path_wins(tmp_path,
                                                                          monkeypatch):
    from ganforge.errors import CheckpointError
    from ganforge.pretrained import checkpoint_path

    loaded = load_generator("best-fashion")
    assert loaded.checkpoint == checkpoint_path("best-fashion")
    shipped = load_pretrained("best-fashion")
    assert torch.equal(generate(loaded, 4, seed=1), generate(shipped, 4, seed=1))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "best-fashion").mkdir()  # a folder of that name is a run folder, not the name
    with pytest.raises(CheckpointError, match="no checkpoints"):
        load_generator("best-fashion")
    with pytest.raises(CheckpointError, match=r"no-such: no such run folder or checkpoint, "
                                              r"nor a pretrained generator \(best-fashion, "):
        load_generator("no-such")
    with pytest.raises(CheckpointError, match=r"runs/x: no such run folder or checkpoint$"):
        load_generator("runs/x")


@pytest.mark.parametrize("name,index", [
    ("2", 4), ("10", 2), ("11", 3), (" 4 ", 6),  # a class named "2" wins over index 2
    ("cat", 13), ("Cat", 12), ("CAT", None),  # two classes differ in case: exact names only
    ("dog", 14), ("DOG", 14),  # one class of that name in any case
    ("caf\u00e9", 15), ("cafe\u0301", 15),  # NFC and NFD spell the same name
    ("12", 12), ("16", None), ("\u00b2", None), ("-1", None),  # indices of unnamed positions
])
def test_a_class_is_found_by_exact_name_first_then_in_any_case_then_by_index(name, index):
    from ganforge.sampling.generator import find_class

    classes = ("0", "1", "10", "11", "2", "3", "4", "5", "6", "7", "8", "9", "Cat", "cat", "Dog",
               "cafe\u0301")
    assert find_class(name, classes) == index


@pytest.mark.parametrize("name,index", [
    (" x", 0), ("x", 1), ("x ", None),  # as written first; spaces at the ends then tell none
    ("caf\u00e9", 2), ("cafe\u0301", 3),  # twins in NFC and NFD: each by its own spelling
    ("0", 0), ("1", 1),  # no class is named by digits: an index
])
def test_names_differing_only_in_spaces_or_unicode_form_are_each_found(name, index):
    from ganforge.sampling.generator import ambiguous_class, find_class

    classes = (" x", "x", "caf\u00e9", "cafe\u0301")
    assert find_class(name, classes) == index
    assert ambiguous_class(name, classes) == (() if index is not None else (" x", "x"))


def test_a_name_two_classes_share_in_any_case_is_refused_naming_both():
    from ganforge.sampling.generator import ambiguous_class

    assert ambiguous_class("CAT", ("Cat", "cat", "dog")) == ("Cat", "cat")
    assert ambiguous_class("DOG", ("Cat", "cat", "dog")) == ()
    assert ambiguous_class("cow", ("Cat", "cat", "dog")) == ()
