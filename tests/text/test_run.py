"""A few-step text-to-image run on the flowers fixture: every artefact, exact resume, and
`ganforge generate` / `sample` on the result."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors.torch import load_file

from ganforge.cli import main
from ganforge.training.loop import Interrupted
from ganforge.training.run import resume
from tests.captioned_fixtures import build_flowers, train_tiny
from tests.training.stops import StopAt


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """(flowers folder, run folder): one tiny run shared by the tests of this module."""
    base = tmp_path_factory.mktemp("t2i")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(base / "cache"))
        flowers = build_flowers(base / "data" / "flowers102")
        return flowers, train_tiny(flowers, base / "run")


@pytest.fixture
def tiny_run(tiny):
    return tiny[1]


def test_a_few_steps_write_every_artefact(tiny_run):
    run = tiny_run
    for name in ("config.toml", "metrics.jsonl", "progress.gif", "losses.png",
                 "captions.json", "samples/epoch_001.png", "samples/epoch_002.png",
                 "checkpoints/final.json", "checkpoints/final.safetensors"):
        assert (run / name).is_file(), name
    steps = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in steps if r["kind"] == "step"] == [1, 2, 3, 4]  # 8 images / 4
    captions = json.loads((run / "captions.json").read_text())
    assert len(captions) == 25  # one per cell of the 5x5 grid
    assert all((run / c["image"]).is_file() for c in captions)
    assert {c["caption"].split()[-1] for c in captions} >= {"petals", "stem", "round"}
    meta = json.loads((run / "checkpoints" / "final.json").read_text())
    model = meta["config"]["model"]
    assert (model["arch"], model["image_size"], model["channels"]) == ("t2i", 64, 3)
    assert (model["text_dim"], model["num_classes"]) == (64, 102)  # from encoder and data
    assert meta["fixed_captions"] == [c["caption"] for c in captions]


def test_stopped_and_resumed_is_bit_identical(tmp_path, tiny, tiny_run):
    out = tmp_path / "stopped"
    with pytest.raises(Interrupted):
        train_tiny(tiny[0], out, observers=[StopAt(1)])
    resume(out, progress=False, warn=lambda m: None)
    a = load_file(tiny_run / "checkpoints" / "final.safetensors")
    b = load_file(out / "checkpoints" / "final.safetensors")
    assert a.keys() == b.keys() and "fixed_text" in a
    assert all(a[k].equal(b[k]) for k in a if not k.startswith("rng."))
    assert (tiny_run / "metrics.jsonl").read_text() == (out / "metrics.jsonl").read_text()


def test_generate_formats_seeds_and_interpolation(tiny_run, tmp_path, capsys):
    run = str(tiny_run)
    assert main(["generate", run, "a red flower", "-n", "4", "--out", str(tmp_path / "a.png")]) == 0
    assert "4 images of 'a red flower'" in capsys.readouterr().out
    for name in ("b.npz", "c.npz"):
        assert main(["generate", run, "a red flower", "-n", "3", "--seed", "5",
                     "--format", "npz", "--out", str(tmp_path / name)]) == 0
    b, c = (np.load(tmp_path / n)["images"] for n in ("b.npz", "c.npz"))
    assert b.shape == (3, 64, 64, 3) and np.array_equal(b, c)
    assert main(["generate", run, "a red flower", "--to", "a white flower", "-n", "5",
                 "--format", "png-dir", "--out", str(tmp_path / "walk")]) == 0
    assert len(list((tmp_path / "walk").glob("*.png"))) == 5


def test_generate_and_sample_refuse_with_one_line(tiny_run, tmp_path, capsys):
    assert main(["generate", str(tiny_run), "  ", "--out", str(tmp_path / "x.png")]) == 2
    assert main(["sample", str(tiny_run), "--out", str(tmp_path / "y.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "caption is empty" in err[0] and "ganforge generate" in err[1]


def test_t2i_without_captions_fails_before_the_run_folder(tmp_path, real_data_root):
    from ganforge.config import resolve_config
    from ganforge.errors import ConfigError
    from ganforge.training.run import train

    config = resolve_config("t2i-fashion", overrides={"dataset": "fashion-mnist", "limit": "64"})
    with pytest.raises(ConfigError, match="needs a data set with captions"):
        train(config, tmp_path / "run", progress=False)
    assert not (tmp_path / "run").exists()


# Every option of the text objective and networks on at once (docs/text-to-image.md).
EVERY_OPTION = {"hard_mismatch": "0.5", "ma_gp_weight": "2", "loss": "hinge",
                "text_head": "projection", "ca_weight": "2", "diversity_weight": "1",
                "augment": "translation,cutout"}


def _train_options(out, observers=()):
    from ganforge.config import resolve_config
    from ganforge.training.run import train

    settings = {**EVERY_OPTION, "text_encoder": "hashing", "limit": "128", "batch_size": "32",
                "epochs": "2", "log_every": "1", "eval_every": "0", "width": "4",
                "text_proj": "8", "latent_dim": "8"}
    return train(resolve_config("t2i-spec", overrides=settings), out, progress=False,
                 observers=observers)


def test_every_option_trains_and_resumes_bit_identically(tmp_path, real_data_root):
    run = _train_options(tmp_path / "run")
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in records if r["kind"] == "step"]
    assert [r["step"] for r in steps] == list(range(1, 9))  # 128 / 32 = 4 an epoch
    assert all(np.isfinite([r["d_loss"], r["g_loss"]]).all() for r in steps)
    tensors = load_file(run / "checkpoints" / "final.safetensors")
    assert "generator.ca.stats.weight" in tensors and "discriminator.embed.weight" in tensors
    out = tmp_path / "stopped"
    with pytest.raises(Interrupted):
        _train_options(out, observers=[StopAt(3)])
    resume(out, progress=False, warn=lambda m: None)
    again = load_file(out / "checkpoints" / "final.safetensors")
    assert all(tensors[k].equal(again[k]) for k in tensors if not k.startswith("rng."))
    assert (run / "metrics.jsonl").read_text() == (out / "metrics.jsonl").read_text()


def test_a_checkpoint_naming_a_folder_of_pickled_weights_is_refused(tiny_run, tmp_path,
                                                                     capsys):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    folder = tmp_path / "encoder"
    folder.mkdir()
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x04cos\nsystem\n.")  # a pickle
    for meta_path in (run / "checkpoints").glob("*.json"):
        meta = json.loads(meta_path.read_text())
        meta["config"]["model"]["text_encoder"] = str(folder)
        meta_path.write_text(json.dumps(meta))
    out = str(tmp_path / "x.png")
    assert main(["generate", str(run), "a red flower", "--out", out]) == 2
    assert main(["generate", str(run), "a red flower", "--out", out,
                 "--text-encoder-dir", str(folder)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert "is not a built-in one" in err[0] and "--text-encoder-dir" in err[0]
    assert "holds no safetensors weights" in err[1]


def test_a_caption_of_undecodable_bytes_is_one_line(tiny_run, tmp_path, capsys):
    caption = b"a red \xff flower".decode("utf-8", "surrogateescape")  # as Python reads argv
    assert main(["generate", str(tiny_run), caption, "--out", str(tmp_path / "x.png")]) == 2
    assert main(["generate", str(tiny_run), "a red flower", "--to", caption,
                 "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all("not valid UTF-8 text" in line for line in err)
    assert "character 7" in err[0]
    assert not (tmp_path / "x.png").exists()
