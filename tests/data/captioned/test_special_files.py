"""Special files and huge or deep content where ganforge reads a caption file, a
synthetic-flowers attribute record or `--metrics` (issue 37, classes 3 and 4): only regular
files are opened, every read is bounded, a caption's length and a file's lines are bounded,
and JSON nested past a bound is refused before the parser sees it. One line, never a hang."""

from __future__ import annotations

import json
import os
import threading

import pytest

from ganforge.data import load_dataset
from ganforge.data.captioned import flowers
from ganforge.errors import GanforgeError
from ganforge.export import read_metrics

CAPTION = ("text_c10", "class_00001", "image_00001.txt")


def _within(seconds, call, *args):
    """The exception `call(*args)` raises, failing the test if it takes longer than `seconds`."""
    result = {}

    def run():
        try:
            call(*args)
            result["error"] = None
        except BaseException as exc:  # noqa: BLE001 (reported below)
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{call.__name__} hung on {args}"
    return result["error"]


def _put(path, kind):
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "sparse":
        with open(path, "wb") as fh:
            fh.truncate(2 * 1024**3)
    elif kind == "folder":
        path.mkdir()


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "sparse", "folder"])
def test_a_caption_file_that_is_not_a_small_regular_file(flowers_root, kind):
    path = flowers_root.joinpath(*CAPTION)
    _put(path, kind)
    error = _within(10, flowers.read_captions, path)
    assert isinstance(error, GanforgeError) and "image_00001.txt" in str(error), error
    assert "\n" not in str(error)


@pytest.mark.parametrize("content,fragment", [
    (b"x" * (10 * 2**20), "caption file of 10485760 bytes"),
    (b"a flower " * 200 + b"\n", "a caption of 1799 characters"),
    (b"a red flower\n" * 1000, "1000 captions"),
])
def test_a_caption_file_too_long_is_one_line(flowers_root, content, fragment):
    path = flowers_root.joinpath(*CAPTION)
    path.write_bytes(content)
    with pytest.raises(GanforgeError, match=fragment):
        flowers.read_captions(path)


def test_a_fifo_caption_file_does_not_hang_the_loader(flowers_root):
    _put(flowers_root.joinpath(*CAPTION), "fifo")
    error = _within(60, load_dataset, "flowers102", "train", flowers_root.parent, None, False,
                    None)
    assert isinstance(error, GanforgeError) and "not a regular file" in str(error), error


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "sparse"])
def test_an_attribute_record_that_is_not_a_small_regular_file(tmp_path, kind):
    from ganforge.data.synthetic_flowers.load import read_record

    path = tmp_path / "image_00001.json"
    path.write_text("{}")
    _put(path, kind)
    error = _within(10, read_record, path)
    assert isinstance(error, GanforgeError) and "image_00001.json" in str(error), error


@pytest.mark.parametrize("depth", [100, 30_000])
def test_a_deeply_nested_attribute_record_is_refused(tmp_path, depth):
    from ganforge.data.synthetic_flowers.load import read_record

    path = tmp_path / "image_00001.json"
    path.write_text("[" * depth + "]" * depth)
    with pytest.raises(GanforgeError, match="nested more than 64 levels"):
        read_record(path)


def test_a_shallow_attribute_record_still_reads(tmp_path):
    from ganforge.data.synthetic_flowers.load import read_record

    path = tmp_path / "image_00001.json"
    path.write_text(json.dumps({"species": "x", "geometry": {"a": [[1, 2]]}}))
    assert read_record(path)["geometry"] == {"a": [[1, 2]]}


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "sparse", "deep"])
def test_metrics_that_are_not_an_evaluation_json_are_one_line(tmp_path, kind):
    path = tmp_path / "eval.json"
    path.write_text("{}")
    if kind == "deep":
        path.write_text('{"metrics": ' + "[" * 200_000 + "]" * 200_000 + "}")
    else:
        _put(path, kind)
    error = _within(10, read_metrics, path, 4)
    assert isinstance(error, GanforgeError) and "--metrics" in str(error), error
    assert "\n" not in str(error)
