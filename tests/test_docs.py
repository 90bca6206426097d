"""Every code block of README.md and docs/*.md, checked so that no snippet can rot.

- `python` blocks run, each in a fresh folder, with the real data sets. A block that trains
  long is preceded by an HTML comment that says how the test makes it cheap, and only that:
  `<!-- doctest: replace OLD => NEW -->` replaces text of the block (OLD must be in it), and
  `<!-- doctest: setup runs/dcgan -->` puts a tiny trained dcgan-mnist run at that path.
- `sh` and `console` blocks: every `ganforge ...` command (also after `torchrun ... -m`) is
  parsed by the command line's own argparse and must parse; `make TARGET` must name a target
  of the Makefile, `python benchmarks/X.py` an existing script. In a `console` block with
  `$ ` prompts only the prompted lines are commands (the rest is their output). They are not
  run: what they do is tested by the command's own tests.
- `json` blocks must be JSON; `text` blocks (file listings, tables) are only shown.
- A block without one of these languages, or an indented code block, fails.
Also: the README's pretrained table is `ganforge pretrained list`, row for row, and its
run-folder table names every file a run folder can hold.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LANGUAGES = ("python", "sh", "console", "json", "text")
EXTERNAL = ("pip", "curl", "file", "tensorboard")  # other programs the docs show
SETUP_RUNS = {"runs/dcgan": ("dcgan-mnist", {"limit": "64", "batch_size": "32", "epochs": "1",
                                             "eval_every": "0"})}
DIRECTIVE = re.compile(r"<!--\s*doctest:\s*(.*?)\s*-->", re.S)


@dataclass(frozen=True)
class Block:
    where: str  # "docs/x.md:LINE"
    kind: str  # "fence" or "code_block" (indented)
    language: str
    text: str
    directives: tuple[str, ...]


def blocks() -> list[Block]:
    from markdown_it import MarkdownIt

    found = []
    for path in DOCS:
        tokens = MarkdownIt("commonmark").parse(path.read_text(encoding="utf-8"))
        for index, token in enumerate(tokens):
            if token.type not in ("fence", "code_block"):
                continue
            first = index
            while first and tokens[first - 1].type == "html_block":  # the comments above it
                first -= 1
            directives = tuple(d for t in tokens[first:index] for d in DIRECTIVE.findall(t.content))
            found.append(Block(f"{path.relative_to(ROOT)}:{token.map[0] + 1}", token.type,
                               token.info.strip().split(" ")[0], token.content, directives))
    return found


BLOCKS = blocks()


def _of(*languages: str) -> list:
    return [pytest.param(b, id=b.where) for b in BLOCKS if b.language in languages]


def test_every_block_is_fenced_with_a_known_language():
    wrong = [f"{b.where} ({b.kind}, {b.language or 'no language'})" for b in BLOCKS
             if b.kind != "fence" or b.language not in LANGUAGES]
    assert wrong == [], f"fence these with one of {LANGUAGES}"
    assert len(_of("python")) >= 4 and len(_of("sh", "console")) >= 15


def test_directives_are_understood():
    readme = next(b for b in BLOCKS if b.language == "python" and b.where.startswith("README"))
    assert len(readme.directives) == 2  # each comment above a block counts
    for block in BLOCKS:
        for directive in block.directives:
            assert block.language == "python", block.where
            assert directive.startswith(("replace ", "setup ")), f"{block.where}: {directive}"


@pytest.fixture(scope="session")
def setup_runs(tmp_path_factory) -> dict[str, Path]:
    """The tiny runs a block may ask for, trained once per test session (per worker)."""
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None or not REAL_DATA_ROOT.is_dir():
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    from ganforge.config import resolve_config
    from ganforge.training.run import train

    root = tmp_path_factory.mktemp("doc-runs")
    return {name: train(resolve_config(preset, overrides={**overrides,
                                                          "data_dir": str(REAL_DATA_ROOT)}),
                        root / name.replace("/", "-"), progress=False)
            for name, (preset, overrides) in SETUP_RUNS.items()}


def prepared(block: Block, folder: Path, runs: dict[str, Path]) -> str:
    """The block's code after its `replace` directives; its `setup` runs copied in."""
    code = block.text
    for directive in block.directives:
        verb, _, rest = directive.partition(" ")
        if verb == "replace":
            old, sep, new = rest.partition(" => ")
            assert sep and old in code, f"{block.where}: {old!r} is not in the block"
            code = code.replace(old, new)
        else:
            shutil.copytree(runs[rest], folder / rest)
    return code


@pytest.mark.parametrize("block", _of("python"))
def test_python_block_runs(block, real_data_root, tmp_path, monkeypatch, request):
    wanted = any(d.startswith("setup ") for d in block.directives)
    code = prepared(block, tmp_path, request.getfixturevalue("setup_runs") if wanted else {})
    monkeypatch.chdir(tmp_path)
    exec(compile(code, block.where, "exec"), {"__name__": "__doc_block__"})


def commands(block: Block) -> list[list[str]]:
    """The block's command lines as argument lists (continued lines and quotes open across
    lines joined, comments dropped)."""
    lines = block.text.splitlines()
    prompted = block.language == "console" and any(ln.startswith("$ ") for ln in lines)
    found, current, continued = [], "", False
    for line in lines:
        if continued:
            current += "\n" + line
        elif not prompted or line.startswith("$ "):
            current = line[2:] if prompted else line
        else:
            continue
        continued = current.endswith("\\")
        if continued:
            current = current.removesuffix("\\")
            continue
        try:
            args = shlex.split(current, comments=True)
        except ValueError:  # a quote still open: the command goes on
            continued = True
            continue
        if args:
            found.append(args)
    assert not continued, f"{block.where}: the last command does not end"
    return found


def _makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][\w-]*):", text, re.M))


ENV_ASSIGNMENT = re.compile(r"[A-Z_][A-Z0-9_]*=")


def program(args: list[str]) -> list[str]:
    """The command itself: leading environment settings (`OMP_NUM_THREADS=1`) and `nice -n N`
    dropped."""
    while args and (ENV_ASSIGNMENT.match(args[0]) or args[:2] == ["nice", "-n"]):
        args = args[1:] if ENV_ASSIGNMENT.match(args[0]) else args[3:]
    return args


def check_command(args: list[str], where: str, capsys) -> None:
    from ganforge.cli import build_parser

    args = program(args)
    head = args[0]
    if head == "torchrun":
        assert args[args.index("-m") + 1] == "ganforge", where
        args = ["ganforge", *args[args.index("-m") + 2:]]
    if args[0] == "ganforge":
        try:
            build_parser().parse_args(args[1:])
        except SystemExit:
            pytest.fail(f"{where}: {shlex.join(args)}: {capsys.readouterr().err.strip()}")
    elif head == "make":
        assert set(args[1:]) <= _makefile_targets(), f"{where}: {shlex.join(args)}"
    elif head in ("python", "python3") and args[1].startswith("benchmarks/"):
        assert (ROOT / args[1]).is_file(), f"{where}: no {args[1]}"
    else:
        assert head in EXTERNAL, f"{where}: {shlex.join(args)}: a command this test does not know"


@pytest.mark.parametrize("block", _of("sh", "console"))
def test_shell_block_commands_parse(block, capsys):
    found = commands(block)
    assert found, f"{block.where}: no command in the block"
    for args in found:
        check_command(args, block.where, capsys)


@pytest.mark.parametrize("block", _of("json"))
def test_json_block_is_json(block):
    json.loads(block.text)


def test_environment_settings_and_nice_are_not_the_program():
    assert program(["A=1", "nice", "-n", "10", "B_2=x", "python", "benchmarks/x.py"]) == \
        ["python", "benchmarks/x.py"]
    assert program(["ganforge", "train", "--set", "A=1"]) == ["ganforge", "train", "--set", "A=1"]


def test_commands_of_a_block_are_joined_and_prompts_respected():
    block = Block("x", "fence", "console", "$ ganforge sample a \\\n    -n 4   # four\n"
                  "out put\n$ curl -d '{\"n\": 1,\n  \"seed\": 2}'\n{\"ok\": 1}\n$ make demo\n", ())
    assert commands(block) == [["ganforge", "sample", "a", "-n", "4"],
                               ["curl", "-d", '{"n": 1,\n  "seed": 2}'], ["make", "demo"]]


def test_a_wrong_option_fails_the_check(capsys):
    with pytest.raises(pytest.fail.Exception, match="unrecognized arguments: --nope"):
        check_command(["ganforge", "sample", "runs/x", "--out", "x.png", "--nope"], "x", capsys)
    with pytest.raises(AssertionError, match="does not know"):
        check_command(["rm", "-rf", "x"], "x", capsys)


def _table_after(text: str, heading: str) -> list[list[str]]:
    """The cells (backticks dropped) of the first table after the line `heading`."""
    lines = text[text.index(heading):].splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("|"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip().strip("`") for c in line.strip().strip("|").split("|")])
    return rows


def test_readme_pretrained_table_is_pretrained_list(capsys):
    from ganforge.cli import main
    from ganforge.pretrained import known_names

    assert main(["pretrained", "list"]) == 0
    names = set(known_names())
    listed = [ln.split() for ln in capsys.readouterr().out.splitlines()
              if ln.split()[:1] and ln.split()[0] in names]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _table_after(readme, "## Pretrained generators") == listed
    assert {row[0] for row in listed} == names


def test_readme_run_folder_table_names_every_artefact():
    from ganforge.runs.folder import ARTEFACTS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = {row[0].split("/")[0] for row in _table_after(readme, "### The run folder")}
    assert documented == set(ARTEFACTS)


def test_readme_says_where_the_data_comes_from(tmp_path, monkeypatch):
    from ganforge.data.locate import cache_root
    from ganforge.data.registry import get_spec

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    exported = re.search(r"^export GANFORGE_DATA \?= \$\(abspath (\S+)\)$",
                         (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert exported and f"`GANFORGE_DATA={exported.group(1)}`" in readme
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache_root() == tmp_path / ".cache" / "ganforge"
    assert "`~/.cache/ganforge/NAME/`" in readme
    for path in get_spec("fashion-mnist").system_dirs:
        assert f"`{path}`" in readme
