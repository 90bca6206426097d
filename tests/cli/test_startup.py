"""`--help`, `--version`, `pretrained list` and `data list` answer without importing torch
(the import graph is checked, not the time)."""

import os
import subprocess
import sys

import pytest

_PROBE = """
import sys
from ganforge.cli import main
try:
    code = main({argv!r})
except SystemExit as exc:
    code = exc.code
print("exit", code, "torch imported:", "torch" in sys.modules)
"""


@pytest.mark.parametrize("argv", [
    ["--help"], ["--version"], ["train", "--help"], ["evaluate", "--help"],
    ["pretrained", "list"], ["data", "list"], ["serve", "--help"],
])
def test_answers_without_importing_torch(argv, tmp_path):
    env = {**os.environ, "GANFORGE_DATA": os.environ.get("GANFORGE_DATA", str(tmp_path))}
    r = subprocess.run([sys.executable, "-c", _PROBE.format(argv=argv)], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] in ("exit 0 torch imported: False",
                                         "exit None torch imported: False"), r.stdout[-300:]


def test_the_probe_sees_torch_when_a_command_needs_it():
    r = subprocess.run([sys.executable, "-c", "import sys, ganforge.models; "
                        "print('torch' in sys.modules)"], capture_output=True, text=True,
                       timeout=120)
    assert r.stdout.strip() == "True"
