"""A run on a folder prepared otherwise than its fitted evaluator is refused with the command
that fits a matching one; a run holding out no test split (--test-fraction 0) gets no such
command (no evaluator can be fitted without test images), but the cure: a test split. A
folder with no image-text evaluator is told why its runs get no R-precision."""

from __future__ import annotations

import pytest

from ganforge.config import resolve_config
from ganforge.data.prepare_options import PrepareOptions, run_options
from ganforge.errors import ConfigError
from ganforge.metrics import run_checks


def _refusal(tmp_path, monkeypatch, test_fraction: str) -> str:
    from tests.data.folder.conftest import make_folder

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = make_folder(tmp_path / "pics", 100)
    cfg = resolve_config("dcgan64", overrides={"dataset": str(folder),
                                               "test_fraction": test_fraction})
    fitted = PrepareOptions(image_size=run_options(cfg).image_size, test_fraction=0.1)
    monkeypatch.setattr(run_checks, "prepared_as", lambda key, prefer=None: fitted)
    with pytest.raises(ConfigError) as refused:
        run_checks.check_preparation(cfg)
    return str(refused.value)


def test_no_test_split_is_not_told_to_fit_an_evaluator_without_one(tmp_path, monkeypatch):
    message = _refusal(tmp_path, monkeypatch, "0")
    assert "test fraction 0.0 (the evaluator's: 0.1)" in message
    assert "evaluator fit" not in message and "--test-fraction 0.0" not in message
    assert message.endswith("the run holds out no test split (--test-fraction 0), and "
                            "evaluation needs one: train with a --test-fraction above 0 "
                            "(e.g. 0.1) to be scored")


def test_another_test_split_is_told_the_command_that_fits_a_matching_evaluator(
        tmp_path, monkeypatch):
    message = _refusal(tmp_path, monkeypatch, "0.2")
    assert message.endswith(f"fit one with `ganforge evaluator fit "
                            f"{(tmp_path / 'pics').resolve()} --test-fraction 0.2`")


def test_a_run_whose_own_split_cannot_fit_an_evaluator_is_told_so(tmp_path, monkeypatch):
    message = _refusal(tmp_path, monkeypatch, "0.05")  # 95 training and 5 test images
    assert "evaluator fit" not in message
    assert message.endswith("the folder has 95 training and 5 test images, and fitting an "
                            "evaluator needs at least 64 and 10: add images (or "
                            "--test-fraction 0.1) to score its runs")


def test_a_folder_without_an_image_text_evaluator_is_told_why_once(tmp_path, caplog,
                                                                     isolated_cache):
    """An evaluator fitted before the folder had captions reads none: evaluation says so
    (once a process) instead of leaving R-precision out without a word."""
    import logging

    from ganforge.metrics import retrieval

    folder = str(tmp_path / "shapes")
    with caplog.at_level(logging.WARNING, logger="ganforge.metrics.retrieval"):
        assert retrieval.retrieval_figures(None, None, folder, 0) == {}
        assert retrieval.retrieval_figures(None, None, folder, 0) == {}
    notes = [r.getMessage() for r in caplog.records if "no R-precision" in r.getMessage()]
    assert notes == [f"note: no R-precision or caption similarity: no image-text evaluator is "
                     f"fitted for {folder} (one fitted before the folder had captions reads "
                     f"none); `ganforge evaluator fit {folder}` fits one now that it has them"]


def test_a_larger_test_fraction_is_advised_only_where_it_gives_enough_test_images(tmp_path):
    from ganforge.metrics.fitted import fit_advice
    from tests.data.folder.conftest import make_folder

    plain = make_folder(tmp_path / "plain", 80)  # 4 test images at 0.05, 40 at 0.5
    assert fit_advice(str(plain), PrepareOptions(test_fraction=0.05)).endswith(
        "76 training and 4 test images, and fitting an evaluator needs at least 64 and 10: "
        "add images (or --test-fraction 0.15) to score its runs")
    few = make_folder(tmp_path / "few", 72)  # 0.1: 65 and 7; 0.15: 61 and 11; none fits
    assert fit_advice(str(few), PrepareOptions()).endswith(
        "65 training and 7 test images, and fitting an evaluator needs at least 64 and 10: "
        "add images to score its runs")
    singles = make_folder(tmp_path / "singles", 80, tuple(f"c{i:02d}" for i in range(80)))
    assert fit_advice(str(singles), PrepareOptions(test_fraction=0.5)).endswith(
        "80 training and 0 test images, and fitting an evaluator needs at least 64 and 10: "
        "add images to score its runs")  # each one-image class keeps its image for training


def test_the_fit_command_advised_for_a_folder_with_spaces_can_be_pasted(tmp_path, monkeypatch):
    import shlex

    from ganforge.metrics.fitted import fit_advice
    from tests.data.folder.conftest import make_folder

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = make_folder(tmp_path / "My Photos é", 120)
    command = fit_advice(str(folder), PrepareOptions(image_size=32)).split("`")[1]
    assert shlex.split(command) == ["ganforge", "evaluator", "fit", str(folder),
                                    "--image-size", "32"]
