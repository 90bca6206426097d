"""The folder options of `data check|prepare` and `evaluator fit`: --image-size takes the
sizes some architecture trains at (mlp 8 to 128 px, odd ones too; dcgan and cdcgan 256 as
well), and is refused for a built-in data set, whose images have their own size. Each
refusal is one usage line and exit code 2, before anything is prepared or fitted."""

from __future__ import annotations

import pytest

from ganforge.cli import main
from ganforge.metrics import evaluator_fit
from ganforge.model_configs import buildable_image_sizes

COMMANDS = [["data", "check"], ["data", "prepare"], ["evaluator", "fit"]]


@pytest.fixture
def fits(monkeypatch) -> list:
    """The options `evaluator fit` would fit with (nothing is fitted)."""
    calls = []

    def record(data, **kwargs):
        calls.append(kwargs["options"])
        return {"data": data, "kind": "classifier", "sha256": "0" * 64, "path": "x.json"}

    monkeypatch.setattr(evaluator_fit, "fit_evaluator", record)
    return calls


def _usage_line(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("size", ["129", "200", "255", "7", "257"])
def test_a_size_no_architecture_trains_at_is_refused(tmp_path, capsys, fits, command, size):
    err = _usage_line([*command, str(tmp_path / "pics"), "--image-size", size], capsys)
    assert f"argument --image-size: must be 8..128 or 256 (the sizes ganforge's " \
           f"architectures build), got {size}" in err
    assert fits == []


@pytest.mark.parametrize("size", [8, 33, 128, 256])
def test_a_size_some_architecture_trains_at_is_fitted_at(tmp_path, fits, size):
    assert main(["evaluator", "fit", str(tmp_path / "pics"), "--image-size", str(size)]) == 0
    assert [o.image_size for o in fits] == [size]


def test_the_sizes_are_those_the_architectures_build():
    sizes = buildable_image_sizes()
    assert sizes == frozenset(range(8, 129)) | {256}


def test_the_default_size_is_64(tmp_path, fits):
    assert main(["evaluator", "fit", str(tmp_path / "pics")]) == 0
    assert fits[0].image_size == 64


@pytest.mark.parametrize("command", [["data", "check"], ["evaluator", "fit"]])
def test_a_built_in_set_refuses_an_image_size(capsys, fits, command):
    err = _usage_line([*command, "mnist", "--image-size", "33"], capsys)
    assert "--image-size 33: mnist is a built-in data set of 28x28 images; --image-size " \
           "sizes a folder of images" in err
    assert fits == []


def test_a_built_in_set_fits_without_one(fits):
    assert main(["evaluator", "fit", "mnist"]) == 0 and len(fits) == 1
