"""Bad input of every kind: one clear line, exit code 2, nothing half-written."""

import json
import pickle
import shutil
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ganforge.config import RunConfig, resolve_config, resume_config
from ganforge.errors import CheckpointError, ConfigError
from ganforge.sampling.generator import load_generator
from tests.test_cli import _one_line_error, ganforge

# --- the config loader never fails with anything but its own error -------------------

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6),
                     st.floats(allow_nan=True), st.text(string.printable, max_size=8),
                     st.lists(st.integers(-3, 2000), max_size=4))
_keys = st.sampled_from(["epochs", "batch_size", "d_steps", "noise", "seed", "loss",
                         "label_smoothing", "lr_g", "arch", "g_hidden", "dataset", "limit",
                         "bogus", "max_steps", "g_batchnorm", "keep", "on_nan"])
_sections = st.sampled_from(["data", "model", "loss", "optim", "train", "extra"])
_configs = st.dictionaries(_sections, st.one_of(st.dictionaries(_keys, _scalars, max_size=4),
                                                _scalars), max_size=4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_configs)
def test_config_dicts_only_raise_config_errors(data):
    try:
        RunConfig.from_dict(data, "fuzz.toml")
    except ConfigError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(_keys, st.text(string.printable, max_size=6), max_size=3))
def test_command_line_strings_only_raise_config_errors(overrides):
    try:
        resolve_config("mlp-mnist", overrides=overrides)
    except ConfigError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_config_files_of_random_bytes(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("cfg") / "x.toml"
    path.write_bytes(content)
    try:
        resolve_config(config_file=path)
    except ConfigError as exc:
        assert str(path) in str(exc)


# --- checkpoints from another model or version ----------------------------------------

@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None:
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    out = tmp_path_factory.mktemp("bad") / "run"
    r = ganforge("train", "--preset", "mlp-mnist", "--limit", "64", "--batch-size", "32",
                 "--epochs", "1", "--g-hidden", "16", "--d-hidden", "16", "--eval-every", "0",
                 "--no-progress", "--out", out, env={"GANFORGE_DATA": str(REAL_DATA_ROOT)})
    assert r.returncode == 0, r.stderr
    return out


def test_checkpoint_of_another_version(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    meta_path = run / "checkpoints" / "final.json"
    meta = json.loads(meta_path.read_text())
    meta["version"] = 99
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="format version 99, ganforge reads 1"):
        load_generator(meta_path)
    _one_line_error(ganforge("sample", meta_path, "--out", tmp_path / "g.png"),
                    "format version 99")


def test_checkpoint_of_another_model_says_what_differs(tiny_run):
    meta = json.loads((tiny_run / "checkpoints" / "final.json").read_text())
    other = resolve_config("mlp-mnist", overrides={"g_hidden": "16,32", "d_hidden": "16"})
    with pytest.raises(ConfigError, match=r"another model .*g_hidden: \[16\] vs \[16, 32\]"):
        resume_config(meta, other, {}, "final.json")


def test_weights_that_do_not_fit_the_config(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    meta_path = run / "checkpoints" / "final.json"
    meta = json.loads(meta_path.read_text())
    meta["config"]["model"]["g_hidden"] = [32]
    meta_path.write_text(json.dumps(meta))
    _one_line_error(ganforge("sample", meta_path, "--out", tmp_path / "g.png"),
                    "has shape [16], the config implies [32]")


def test_pickle_offered_as_checkpoint(tmp_path):
    path = tmp_path / "generator.pth"
    path.write_bytes(pickle.dumps({"state": 1}))
    _one_line_error(ganforge("sample", path, "--out", tmp_path / "g.png"), "never unpickles")


def test_output_folder_holding_another_run(tiny_run):
    before = (tiny_run / "config.toml").read_text()
    r = ganforge("train", "--preset", "dcgan-mnist", "--out", tiny_run)
    _one_line_error(r, "already holds a run; use --force (force=True in Python)")
    assert (tiny_run / "config.toml").read_text() == before


def test_corrupt_idx_file_via_the_command_line(tmp_path):
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None:
        pytest.skip("real data sets not available")
    data = tmp_path / "data" / "mnist"
    shutil.copytree(REAL_DATA_ROOT / "mnist", data)
    labels = data / "t10k-labels-idx1-ubyte.gz"
    labels.write_bytes(labels.read_bytes()[:100])
    r = ganforge("data", "check", "mnist", "--data-dir", tmp_path / "data",
                 env={"GANFORGE_NO_DOWNLOAD": "1"})
    assert r.returncode == 2
    assert "t10k-labels-idx1-ubyte.gz" in r.stdout + r.stderr
    assert "Traceback" not in r.stderr


def test_resume_of_a_folder_without_a_run(tmp_path):
    _one_line_error(ganforge("train", "--resume", tmp_path), "not a run folder")


def test_resume_of_a_run_without_checkpoints(tmp_path):
    (tmp_path / "config.toml").write_text('preset = "mlp-mnist"\n')
    _one_line_error(ganforge("train", "--resume", tmp_path), "no checkpoints")


# --- caption files and JPEGs: random bytes give the project's own error or a result ------

@settings(max_examples=120, deadline=None)
@given(st.binary(max_size=300))
def test_caption_files_of_random_bytes(tmp_path_factory, content):
    from ganforge.data.captioned.flowers import read_captions
    from ganforge.errors import DataError

    path = tmp_path_factory.mktemp("cap") / "image_00001.txt"
    path.write_bytes(content)
    try:
        captions = read_captions(path)
    except DataError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
    else:
        assert captions and all(c and "\n" not in c for c in captions)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_jpegs_of_random_bytes(tmp_path_factory, content):
    from ganforge.data.captioned.flowers import read_image
    from ganforge.errors import DataError

    path = tmp_path_factory.mktemp("jpg") / "image_00001.jpg"
    path.write_bytes(b"\xff\xd8\xff" + content)
    try:
        read_image(path)
    except DataError as exc:
        assert str(path) in str(exc)


# --- settings outside their domain: one line, exit 2, nothing echoed whole ----------------

@pytest.mark.parametrize("body, fragment", [
    ("[optim]\nlr_g = nan", "lr_g must be a finite number, got nan"),
    ("[optim]\nbeta1 = 5.0", "beta1 must be less than 1"),
    ('[model]\narch = "mlp"\nd_dropout = 2.0', "d_dropout must be less than 1"),
    ("[model]\nlatent_dim = -3", "latent_dim must be at least 1, got -3"),
    ("[model]\nlatent_dim = 0", "latent_dim must be at least 1, got 0"),
    ('[model]\narch = "mlp"\ng_hidden = [0]', "g_hidden[0] must be at least 1, got 0"),
    ("[train]\ngrid = 100000", "grid must be at most 32"),
    ("[model]\ng_hidden = " + "[" * 5000 + "]" * 5000, "nested too deep"),
    ('[data]\ndataset = "' + "x" * 10_000_000 + '"', "dataset is 10000000 characters long"),
])
def test_settings_outside_their_domain_via_the_command_line(tmp_path, body, fragment):
    path = tmp_path / "bad.toml"
    path.write_text(f'preset = "dcgan-mnist"\n{body}\n')
    r = ganforge("train", "--config", path, "--out", tmp_path / "run")
    _one_line_error(r, fragment)
    assert len(r.stderr) < 400 and not (tmp_path / "run").exists()


_numeric_keys = st.sampled_from(["lr_g", "lr_d", "beta1", "beta2", "label_smoothing", "ema",
                                 "gp_weight", "latent_dim", "grid", "batch_size", "epochs",
                                 "seed", "eval_samples", "d_dropout", "g_hidden", "threads"])
_numbers = st.one_of(st.sampled_from(["nan", "inf", "-inf", "1e400", "-1", "0", "1",
                                      "9" * 30, "0.999999", "1,0", "5,99999"]),
                     st.floats(allow_nan=True, allow_infinity=True).map(repr),
                     st.integers(-10**12, 10**12).map(str))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_numeric_keys, _numbers, max_size=3))
def test_numbers_out_of_their_domain_never_pass(overrides):
    import math

    try:
        config = resolve_config("mlp-mnist", overrides=overrides)
    except ConfigError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 400
        return
    o, t, m = config.optim, config.train, config.model
    assert math.isfinite(o.lr_g) and 0 < o.lr_g <= 1 and 0 <= o.beta1 < 1 and 0 <= o.beta2 < 1
    assert 1 <= m.latent_dim <= 4096 and 0 <= m.d_dropout < 1 and 1 <= t.grid <= 32
    assert all(1 <= h <= 4096 for h in m.g_hidden) and 0 <= t.seed < 2**32


# --- --resume auto as the README writes it -----------------------------------------------

def test_resume_auto_with_the_runs_own_preset(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    r = ganforge("train", "--resume", "auto", "--preset", "mlp-mnist", "--out", run,
                 "--no-progress")
    assert r.returncode == 0, r.stderr
    assert f"nothing to train: {run} already reached its end" in r.stdout  # found, not redone


def test_resume_auto_with_another_preset_is_one_line(tiny_run):
    before = (tiny_run / "checkpoints" / "final.json").read_text()
    r = ganforge("train", "--resume", "auto", "--preset", "dcgan-mnist", "--out", tiny_run)
    _one_line_error(r, f"--preset dcgan-mnist does not match the run in {tiny_run}")
    assert (tiny_run / "checkpoints" / "final.json").read_text() == before


def test_resume_auto_restarts_a_run_killed_before_its_first_checkpoint(tiny_run, tmp_path):
    from tests.conftest import REAL_DATA_ROOT

    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(tiny_run / "config.toml", run / "config.toml")
    (run / "metrics.jsonl").write_text('{"kind": "step", "step": 1, "epo')  # killed mid-line
    r = ganforge("train", "--resume", "auto", "--out", run, "--no-progress",
                 env={"GANFORGE_DATA": str(REAL_DATA_ROOT)})
    assert r.returncode == 0, r.stderr
    assert (run / "checkpoints" / "final.json").exists()
    assert (run / "metrics.jsonl").read_text() == (tiny_run / "metrics.jsonl").read_text()


# --- checkpoint records and resume records: any JSON is the project's own error or valid --

_json = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True)
    | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=3),
    max_leaves=12)


def _mutate(record, key, inner, value):
    """`record` with `key` (or, when it holds a list or table, one item of it) set to value."""
    target = record.get(key)
    if inner is not None and isinstance(target, list) and target:
        target[inner % len(target)] = value
    elif inner is not None and isinstance(target, dict) and target:
        target[sorted(target)[inner % len(target)]] = value
    else:
        record[key] = value
    return record


@pytest.fixture(scope="module")
def tiny_record(tmp_path_factory):
    from tests.runs.test_checkpoint_check import tiny_checkpoint

    path = tiny_checkpoint(tmp_path_factory.mktemp("fuzz-ckpt"))
    return path, path.read_text()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(["format", "version", "tensors", "sha256", "step", "config",
                            "extra"]),
       inner=st.none() | st.integers(0, 10), value=_json)
def test_checkpoint_records_only_raise_checkpoint_errors(tiny_record, key, inner, value):
    from ganforge.runs.checkpoint import read_checkpoint

    path, text = tiny_record
    path.write_text(json.dumps(_mutate(json.loads(text), key, inner, value)))
    try:
        read_checkpoint(path)
    except CheckpointError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(section=st.sampled_from(["model", "loss", "train", "data"]),
       key=st.sampled_from(["g_hidden", "d_hidden", "latent_dim", "image_size", "channels",
                            "arch", "loss", "spectral_norm", "bogus", "limit"]), value=_json)
def test_checkpoint_configs_only_raise_checkpoint_errors(tiny_record, section, key, value):
    from ganforge.runs.checkpoint import read_checkpoint

    path, text = tiny_record
    record = json.loads(text)
    record["config"].setdefault(section, {})[key] = value
    path.write_text(json.dumps(record))
    try:
        read_checkpoint(path)
    except CheckpointError as exc:
        assert "\n" not in str(exc)


def _resume_record():
    """A valid resume record and its tensors, as save_state writes them (no run needed)."""
    import torch

    from ganforge.training.rng import global_rng_state

    adam = torch.optim.Adam([torch.nn.Parameter(torch.zeros(2))], lr=2e-4, betas=(0.5, 0.99))
    meta = {"step": 5, "epoch": 2, "resume_epoch": 3, "resume_batch": 0, "records": 5,
            "epoch_sums": [1.5, 2.5, 2], "opt_g_groups": adam.state_dict()["param_groups"],
            "opt_d_groups": adam.state_dict()["param_groups"], "summary": {"epoch": 2},
            **global_rng_state()["meta"]}
    state = torch.Generator().get_state()
    tensors = {"rng.torch": torch.get_rng_state(), "rng.data": state,
               "rng.data_epoch": state, "rng.caption": state, "fixed_noise": torch.zeros(4, 8)}
    return json.loads(json.dumps(meta)), tensors


def test_the_resume_record_of_a_real_run_passes():
    from ganforge.training.resume_record import check_resume_record

    meta, tensors = _resume_record()
    check_resume_record(meta, tensors, "x.json", records_now=5)
    with pytest.raises(CheckpointError, match="'records' must be a whole number in"):
        check_resume_record(meta, tensors, "x.json", records_now=4)


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(["step", "resume_epoch", "resume_batch", "records", "epoch_sums",
                            "opt_g_groups", "opt_d_groups", "rng_python", "rng_numpy",
                            "summary", "ema_updates", "fixed_captions"]),
       inner=st.none() | st.integers(0, 700), value=_json)
def test_resume_records_only_raise_checkpoint_errors(key, inner, value):
    from ganforge.training.resume_record import check_resume_record

    meta, tensors = _resume_record()
    try:
        check_resume_record(_mutate(meta, key, inner, value), tensors, "x.json", 5)
    except CheckpointError as exc:
        assert "\n" not in str(exc) and "x.json: invalid resume record" in str(exc)
