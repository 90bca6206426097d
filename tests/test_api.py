"""The public API: `from ganforge import NAME` for every documented name, imported lazily."""

import subprocess
import sys

import pytest

import ganforge
import ganforge.report


@pytest.mark.parametrize("package", [ganforge, ganforge.report])
def test_every_exported_name_resolves(package):
    for name in package.__all__:
        assert getattr(package, name) is not None, name
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        package.nope  # noqa: B018


def test_import_ganforge_does_not_import_torch():
    code = "import sys, ganforge; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
