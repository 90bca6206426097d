"""Every numeric option of every command has a stated range that argparse checks: a value
outside it is one line and exit code 2, before anything is loaded."""

import argparse

import pytest

from ganforge.cli import build_parser, main
from ganforge.cli.numbers import MAX_SEED, Real, Whole


def _parsers(parser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def _numeric_actions():
    for parser in _parsers(build_parser()):
        for action in parser._actions:
            if action.type in (int, float) or isinstance(action.type, (Whole, Real)):
                yield parser.prog, action


def test_every_numeric_option_has_a_checked_and_stated_range():
    found = list(_numeric_actions())
    assert len(found) >= 15  # seeds, counts, --nrow, --threads, --port, --epochs, ...
    for prog, action in found:
        if action.choices is not None:  # argparse checks membership; the help names them
            continue
        name = f"{prog} {action.option_strings}"
        assert isinstance(action.type, (Whole, Real)), f"{name}: plain {action.type}"
        assert action.type.range in action.help, f"{name}: help does not state its range"


@pytest.mark.parametrize("argv", [
    ["sample", "run", "--out", "x.png", "--seed", str(2**64)],
    ["sample", "run", "--out", "x.png", "--seed", str(2**70)],
    ["sample", "run", "--out", "x.png", "--seed", "-1"],
    ["sample", "run", "--out", "x.png", "-n", str(10**9)],
    ["sample", "run", "--out", "x.png", "-n", "0"],
    ["sample", "run", "--out", "x.png", "--nrow", "0"],
    ["sample", "run", "--out", "x.png", "--nrow", "-3"],
    ["sample", "run", "--out", "x.png", "--code", "-1"],
    ["generate", "run", "cap", "--out", "x.png", "--seed", str(2**64)],
    ["generate", "run", "cap", "--out", "x.png", "-n", str(10**6)],
    ["generate", "run", "cap", "--out", "x.png", "--nrow", "0"],
    ["evaluate", "run", "--seed", str(2**64)],
    ["evaluate", "run", "--n", str(10**9)],
    ["pretrained", "export", "run", "name", "--seed", str(2**70)],
    ["pretrained", "export", "run", "name", "--n", "0"],
    ["pretrained", "evaluate", "best-mnist", "--seed", str(2**64)],
    ["pretrained", "evaluate", "best-mnist", "--n", str(10**9)],
    ["serve", "run", "--threads", "2000"],
    ["serve", "run", "--threads", "0"],
    ["serve", "run", "--port", "70000"],
    ["train", "--progress-every", "nan"],
    ["train", "--progress-every", "-1"],
    ["evaluator", "train", "mnist", "--epochs", "0"],
    ["evaluator", "train", "mnist", "--seed", str(2**64)],
    ["evaluator", "refit", "synthetic-flowers", "--seed", "-5"],
])
def test_a_number_out_of_range_is_one_line_and_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "must be" in err and "Traceback" not in err


def test_the_edges_of_each_range_are_accepted():
    parser = build_parser()
    args = parser.parse_args(["sample", "run", "--out", "x.png", "--seed", str(MAX_SEED),
                              "-n", "100000", "--nrow", "1"])
    assert (args.seed, args.n, args.nrow) == (MAX_SEED, 100_000, 1)
    args = parser.parse_args(["serve", "run", "--threads", "1024", "--port", "0"])
    assert (args.threads, args.port) == (1024, 0)


def test_the_largest_seed_draws_images(tmp_path, capsys):
    out = tmp_path / "g.png"
    assert main(["sample", "--pretrained", "mlp-mnist", "-n", "2", "--seed", str(MAX_SEED),
                 "--out", str(out)]) == 0
    assert out.stat().st_size > 0
