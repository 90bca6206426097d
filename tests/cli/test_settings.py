"""`ganforge train --help`: every setting with its description, default, choices and range,
grouped by section; every command's help ends with an example."""

import pytest

from ganforge.cli import COMMANDS, build_parser, main


def _help(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # argparse's line wrapping undone


def test_train_help_lists_every_setting_by_section(capsys):
    from ganforge.config import all_option_names

    text = _help(capsys, "train")
    sections = [text.index(f"[{s}] settings:") for s in ("data", "model", "loss", "optim",
                                                           "train")]
    assert sections == sorted(sections)
    for name in all_option_names():
        if name not in ("channels", "image_size", "num_classes", "text_dim"):
            assert f"--{name.replace('_', '-')} " in text, name
    for fragment in (
        "--noise {normal,uniform} distribution of G's noise z (default normal)",
        "--lr-g X G's Adam learning rate (default 0.0002; in (0, 1])",
        "--beta1 X Adam's beta1 (both networks) (default 0.5; in [0, 1))",
        "--grid N the sample grid is grid x grid images (default 5; in [1, 32])",
        "--d-norm {batch,layer,none}",
        "(default dcgan28: batch, cdcgan28: none, dcgan: batch, cdcgan: batch; arch dcgan28, "
        "cdcgan28, dcgan, cdcgan)",
        "--g-hidden N,N,... widths of G's hidden Linear layers (default 256,512,1024; "
        "entries in [1, 4096], at most 6; arch mlp)",
        "--arch {mlp,dcgan28,cdcgan28,t2i",
        "the networks: mlp = the fully connected GAN (Goodfellow et al.); dcgan28 = the "
        "classic DCGAN (Radford et al.) for 28x28;",
        "--loss {non-saturating,minimax,least-squares,wasserstein,wasserstein-gp,hinge}",
    ):
        assert fragment in text, fragment


def _commands(parser, prefix=()):
    """(argv, parser) of every command and sub-command."""
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        for name, sub in action.choices.items():
            yield (*prefix, name), sub
            yield from _commands(sub, (*prefix, name))


def test_every_command_says_what_it_does_with_an_example(capsys):
    found = list(_commands(build_parser()))
    assert {argv[0] for argv, _ in found} == set(COMMANDS)
    for argv, sub in found:
        text = sub.format_help()
        assert "example" in text and f"ganforge {argv[0]}" in text.split("example")[-1], argv
        assert sub.description or sub.format_usage(), argv


def test_an_unknown_option_points_to_the_subcommand_help(capsys):
    with pytest.raises(SystemExit) as done:
        main(["train", "--bogus-flag", "1"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.strip() == ("ganforge train: error: unrecognized arguments: --bogus-flag 1 "
                           "(see ganforge train --help)")
