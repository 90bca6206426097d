"""A run whose metrics.jsonl was deleted is refused on resume with a line that names the
missing file, not one that blames its intact checkpoints."""

from __future__ import annotations

import pytest

from ganforge.cli import main
from tests.data.folder.conftest import make_folder

pytestmark = pytest.mark.usefixtures("isolated_cache")


def test_a_run_without_its_metrics_file_names_the_file(tmp_path, capsys):
    folder, run = make_folder(tmp_path / "pics", 20), tmp_path / "run"
    assert main(["train", "--arch", "dcgan", "--width", "4", "--image-size", "32",
                 "--batch-size", "8", "--dataset", str(folder), "--max-steps", "2",
                 "--eval-every", "0", "--no-progress", "--out", str(run)]) == 0
    (run / "metrics.jsonl").unlink()
    capsys.readouterr()
    assert main(["train", "--resume", str(run), "--max-steps", "4", "--no-progress"]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == (f"ganforge: error: {run / 'metrics.jsonl'}: missing; the checkpoints "
                    "continue the records it held (put it back, or start a new run)")
