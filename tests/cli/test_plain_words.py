"""What a user reads says things in plain words: every command's --help and the page of
`ganforge serve` (each kind of controls) name no internal design document ("the SPEC",
"document B", "system 3", "issue 19"), and list each choice once."""

from __future__ import annotations

import argparse
import re

import pytest

from ganforge.cli import build_parser

INTERNAL = re.compile(r"\bSPEC\b|\b[Dd]ocument [A-Z]\b|\b[Ss]ystems? \d|\b[Ii]ssues? \d+")
CHOICES = re.compile(r"\{([^{}\s]+)\}")


def every_parser(parser: argparse.ArgumentParser | None = None):
    """(command words, parser) of the command line and every subcommand, depth first."""
    parser = parser or build_parser()
    yield parser.prog, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                yield from every_parser(child)


HELPS = {prog: p.format_help() for prog, p in every_parser()}


def internal_words(text: str) -> list[str]:
    return [m.group(0) for m in INTERNAL.finditer(text)]


def doubled_choices(text: str) -> list[str]:
    """Choice lists ({a,b,c}) that name a value twice, or a value made of others."""
    found = []
    for match in CHOICES.finditer(text):
        values = match.group(1).split(",")
        if len(set(values)) < len(values):
            found.append(match.group(0))
    return found


def test_every_command_has_help():
    assert {"ganforge", "ganforge train", "ganforge data list", "ganforge serve",
            "ganforge pretrained list"} <= set(HELPS)


@pytest.mark.parametrize("prog", sorted(HELPS))
def test_help_has_no_internal_words_and_no_doubled_choices(prog):
    assert internal_words(HELPS[prog]) == []
    assert doubled_choices(HELPS[prog]) == []


def test_augment_lists_each_choice_once_and_says_they_combine():
    text = " ".join(HELPS["ganforge train"].split())
    assert "--augment {none,translation,cutout}" in text
    assert "several at once joined by commas: translation,cutout" in text


def test_each_network_is_named_by_what_it_is():
    text = " ".join(HELPS["ganforge train"].split())
    assert "dcgan28 = the classic DCGAN (Radford et al.) for 28x28" in text
    assert "t2i = text to image" in text


@pytest.mark.parametrize("condition", ["none", "class", "text"])
def test_the_page_has_no_internal_words(condition):
    pytest.importorskip("fastapi")
    from ganforge.serve.page import render_page

    html, _ = render_page(condition)
    assert internal_words(html) == []


def test_the_page_says_which_data_and_that_drawn_sets_are_drawings():
    pytest.importorskip("fastapi")
    from ganforge.serve.about import model_about, trained_on

    assert "not photographs" in trained_on("synthetic-flowers")
    assert "7,169 training images" in trained_on("synthetic-flowers")
    assert "not photographs" not in trained_on("fashion-mnist")
    assert model_about("t2i").startswith("text to image")


def test_the_rules_see_what_they_forbid():
    assert internal_words("the SPEC: 32, document C's variant, system 3, issue 19") == [
        "SPEC", "document C", "system 3", "issue 19"]
    assert doubled_choices("--augment {none,translation,cutout,translation,cutout}") != []
