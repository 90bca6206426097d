"""The fast path's options, each against the plain path on the same device: bf16 autocast,
torch.compile, channels-last, fused Adam, the split on the device as uint8, the fp16 loss
scalers in checkpoints, TF32, pinned copies and captured (CUDA graph) steps.

Each option trains a few steps from the same weights, data and noise as the plain path and
must give the same losses within the tolerance stated beside it; a deterministic option
must also resume bit for bit. Tests named `..._cuda` need a CUDA device and skip elsewhere
(benchmarks/gpu_check.py runs them with `-k cuda`); the others run on CPU, and on CUDA too
where the `device` parameter offers it.
"""

import pytest
import torch

from ganforge.config import resolve_config
from ganforge.data.dataset import ImageData
from ganforge.errors import ConfigError
from ganforge.runtime.device import (
    Precision,
    compile_networks,
    float_tensors,
    to_device,
)
from ganforge.training.batch_needs import batch_source
from ganforge.training.run import build_trainer, fit_to_data

CUDA = torch.cuda.is_available()
NEEDS_CUDA = pytest.mark.skipif(not CUDA, reason="needs a CUDA device (none here)")
DEVICES = ["cpu", pytest.param("cuda", marks=NEEDS_CUDA)]
BATCH, STEPS = 8, 3
# presets shrunk to seconds on one CPU thread: (preset, image channels, size, width setting)
MODELS = {"mlp": ("mlp-mnist", 1, 28, {"g_hidden": "16", "d_hidden": "16"}),
          "dcgan28": ("dcgan-mnist", 1, 28, {"width": "8"}),
          "dcgan64": ("dcgan64", 3, 64, {"width": "4"}),
          "t2i64": ("t2i-spec", 3, 64, {"width": "4"})}


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def _data(model: str) -> ImageData:
    _, channels, size, _ = MODELS[model]
    g = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (4 * BATCH, channels, size, size), dtype=torch.uint8,
                           generator=g)
    text = torch.randn(4 * BATCH, 3, 8, generator=g) if model == "t2i64" else None
    return ImageData(images, torch.randint(0, 4, (4 * BATCH,), generator=g),
                     ("a", "b", "c", "d"), "random", text=text)


def _setup(model: str, device: str = "cpu", **options: str):
    """A trainer of `model` on `device` with `options`, and its batch source."""
    preset, channels, size, shrink = MODELS[model]
    data = _data(model)
    config = resolve_config(preset, overrides={**shrink, "batch_size": str(BATCH),
                                               "threads": "1", "device": device, **options})
    config = fit_to_data(config, channels, size, data.model_fields() if data.text is not None
                         else None)
    trainer = build_trainer(config)
    condition = "text" if data.text is not None else "none"
    source = batch_source(data, trainer.objective.needs(), condition, torch.device(device),
                          torch.Generator().manual_seed(3))
    return trainer, source


def _train(trainer, source, steps: int = STEPS, first: int = 0, seed: int = 5) -> torch.Tensor:
    """[d_loss, g_loss, D(x), D(G(z))] of each step, noise seeded the same for every path."""
    if first == 0:
        torch.manual_seed(seed)
    rows = []
    for i in range(first, first + steps):
        index = torch.arange(i % 4 * BATCH, (i % 4 + 1) * BATCH, device=source.images.device)
        rows.append(trainer.train_batch(i, source.batch(index)).float().cpu())
    return torch.stack(rows)


def _close(a: torch.Tensor, b: torch.Tensor, rtol: float) -> None:
    assert torch.allclose(a, b, rtol=rtol, atol=rtol), f"\n{a}\n{b}"


def test_float_tensors_turns_every_float_tensor_of_a_tuple_to_float32():
    out = float_tensors((torch.ones(2, dtype=torch.bfloat16), None,
                         [torch.ones(1, dtype=torch.float16), torch.ones(1, dtype=torch.long)]))
    assert out[0].dtype == torch.float32 and out[1] is None
    assert out[2][0].dtype == torch.float32 and out[2][1].dtype == torch.long


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("model", ["dcgan28", "t2i64"])
def test_bf16_gives_the_fp32_losses_within_2_percent(model, device):
    """bf16 keeps 8 bits of mantissa: three steps' losses within 2% of fp32's. t2i's D
    returns (logits, classes, attributes): each comes back as float32."""
    plain = _train(*_setup(model, device))
    trainer, source = _setup(model, device, precision="bf16")
    reduced = _train(trainer, source)
    _close(reduced, plain, 2e-2)
    with trainer.precision.autocast():
        batch = source.batch(torch.arange(BATCH, device=source.images.device))
        out = trainer.discriminator(batch.images, *([batch.cond] if model == "t2i64" else []))
    outs = out if isinstance(out, tuple) else (out,)
    assert all(o is None or o.dtype == torch.float32 for o in outs)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_resuming_from_a_trainer_state_is_bit_identical(precision, device="cpu"):
    """Two steps, the trainer's checkpoint state into fresh networks, two more: the weights
    of four uninterrupted steps, bit for bit (fp32 and bf16 are deterministic on CPU; on
    CUDA, cuDNN's backward kernels may sum in another order from run to run)."""
    straight, source = _setup("dcgan28", device, precision=precision)
    _train(straight, source, steps=4)
    first, source = _setup("dcgan28", device, precision=precision)
    _train(first, source, steps=2)
    state, rng = first.state_dict(), torch.get_rng_state()
    resumed, source = _setup("dcgan28", device, precision=precision)
    resumed.load_state_dict(state)
    torch.set_rng_state(rng)
    _train(resumed, source, steps=2, first=2)
    for a, b in zip(straight.generator.parameters(), resumed.generator.parameters(),
                    strict=True):
        assert torch.equal(a, b)


def test_channels_last_gives_the_contiguous_layouts_losses():
    """The default layout of convolutional networks (channels-last) against the plain one:
    the same sums in another order, within 1e-4."""
    trainer, source = _setup("dcgan64")
    convs = [m for m in trainer.discriminator.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs[1].weight.is_contiguous(memory_format=torch.channels_last)
    fast = _train(trainer, source)
    trainer, source = _setup("dcgan64")
    trainer.memory_format = torch.contiguous_format
    trainer.generator.to(memory_format=torch.contiguous_format)
    trainer.discriminator.to(memory_format=torch.contiguous_format)
    convs = [m for m in trainer.discriminator.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs[1].weight.is_contiguous()
    _close(_train(trainer, source), fast, 1e-4)


@pytest.mark.parametrize("device", DEVICES)
def test_fused_adam_gives_the_per_tensor_adams_losses(device):
    """The fused Adam kernel against torch's per-tensor loop, same state: within 1e-5."""
    fused = _train(*_setup("dcgan28", device))
    trainer, source = _setup("dcgan28", device)
    for name in ("opt_g", "opt_d"):
        old = getattr(trainer, name)
        assert old.defaults["fused"] is True
        setattr(trainer, name, torch.optim.Adam(old.param_groups[0]["params"],
                                                lr=old.defaults["lr"],
                                                betas=old.defaults["betas"], foreach=False))
    _close(_train(trainer, source), fused, 1e-5)


@pytest.mark.parametrize("device", DEVICES)
def test_the_whole_split_lives_on_the_device_as_uint8(device):
    trainer, source = _setup("dcgan28", device)
    assert source.images.dtype == torch.uint8 and source.images.device.type == device
    batch = source.batch(torch.arange(BATCH, device=source.images.device))
    assert batch.images.dtype == torch.float32 and batch.images.device.type == device
    assert -1.0 <= float(batch.images.min()) and float(batch.images.max()) <= 1.0


def test_compile_gives_the_plain_losses(monkeypatch):
    """torch.compile (inductor) against eager on the MLP GAN: within 1e-4, random numbers
    drawn as eager draws them (compiled code draws its dropout masks from another stream
    unless told to fall back; the same Bernoulli masks in distribution)."""
    import torch._inductor.config

    monkeypatch.setattr(torch._inductor.config, "fallback_random", True)
    plain = _train(*_setup("mlp"))
    trainer, source = _setup("mlp", compile="true")
    _close(_train(trainer, source), plain, 1e-4)


def test_captured_steps_are_refused_off_cuda():
    with pytest.raises(ConfigError, match="reduce-overhead captures CUDA graphs and needs"):
        compile_networks(torch.device("cpu"), torch.nn.Linear(2, 2), mode="reduce-overhead")
    with pytest.raises(ConfigError, match="--compile-mode fast: unknown"):
        compile_networks(torch.device("cpu"), torch.nn.Linear(2, 2), mode="fast")


def test_fp16_loss_scalers_are_kept_in_the_trainer_state():
    """The scalers' state (scale, growth tracker) goes into the checkpoint's JSON side and
    comes back by optimizer name. Built directly on CPU (ganforge refuses fp16 there) to
    test the bookkeeping; test_fp16_resumes_bit_identically_cuda trains with it."""
    trainer, source = _setup("mlp")
    trainer.precision = Precision("fp16", "cpu")
    _train(trainer, source, steps=2)
    meta = trainer.state_dict()["meta"]
    assert set(meta["scalers"]) == {"opt_g", "opt_d"}
    assert meta["scalers"]["opt_g"]["scale"] > 0
    fresh, _ = _setup("mlp")
    fresh.precision = Precision("fp16", "cpu")
    fresh.load_state_dict(trainer.state_dict())
    assert fresh.precision.scaler_states(fresh._optimizers()) == meta["scalers"]
    assert "scalers" not in _setup("mlp")[0].state_dict()["meta"]  # fp32: none


def test_to_device_on_cpu_is_the_tensor_itself():
    order = torch.randperm(10)
    assert to_device(order, torch.device("cpu")) is order


@NEEDS_CUDA
def test_pinned_copies_reach_the_gpu_unchanged_cuda():
    order = torch.randperm(1000)
    moved = to_device(order, torch.device("cuda"))
    assert moved.device.type == "cuda" and torch.equal(moved.cpu(), order)


@NEEDS_CUDA
def test_tf32_is_on_for_cuda_runs_cuda():
    _setup("dcgan28", "cuda")
    assert torch.backends.cuda.matmul.allow_tf32 and torch.backends.cudnn.allow_tf32


@NEEDS_CUDA
def test_fp16_resumes_bit_identically_cuda():
    """fp16 with its scalers: resuming from the trainer's state continues the scales."""
    trainer, source = _setup("dcgan28", "cuda", precision="fp16")
    _train(trainer, source, steps=2)
    fresh, _ = _setup("dcgan28", "cuda", precision="fp16")
    fresh.load_state_dict(trainer.state_dict())
    assert fresh.precision.scaler_states(fresh._optimizers()) == \
        trainer.precision.scaler_states(trainer._optimizers())


@NEEDS_CUDA
@pytest.mark.parametrize("mode", ["default", "reduce-overhead"])
def test_compiled_and_captured_steps_give_the_plain_losses_cuda(mode):
    """torch.compile, and its CUDA-graph mode, against eager on CUDA (TF32 in both):
    within 1e-2 (TF32 products, reordered by the compiler)."""
    plain = _train(*_setup("dcgan28", "cuda"), steps=5)
    trainer, source = _setup("dcgan28", "cuda", compile="true", compile_mode=mode)
    _close(_train(trainer, source, steps=5), plain, 1e-2)


class _NanAfter:
    """An objective whose D loss becomes NaN from its `after`-th call on."""

    def __init__(self, inner, after: int):
        self.inner, self.after, self.calls = inner, after, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def discriminator_loss(self, g, d, batch):
        result = self.inner.discriminator_loss(g, d, batch)
        self.calls += 1
        if self.calls >= self.after:
            result.loss = result.loss * float("nan")
        return result


def test_without_a_sync_per_step_a_nan_loss_still_stops_at_its_step(tmp_path):
    """On GPUs the trainer does not read each loss back (sync_checks False); the loop finds
    the NaN when it reads the statistics and stops naming its step, its records kept."""
    from ganforge.errors import DivergenceError
    from ganforge.runs.folder import RunFolder
    from ganforge.training.run import prepare

    data = _data("mlp")
    preset, channels, size, shrink = MODELS["mlp"]
    config = fit_to_data(resolve_config(preset, overrides={
        **shrink, "batch_size": str(BATCH), "threads": "1", "log_every": "2",
        "max_steps": "8", "eval_every": "0"}), channels, size)
    loop = prepare(config, data, RunFolder(tmp_path / "run"), False, ())
    loop.folder = RunFolder.create(tmp_path / "run", config, force=True)
    assert loop.trainer.sync_checks  # CPU: each loss checked as it comes
    loop.trainer.sync_checks = False
    loop.trainer.objective = _NanAfter(loop.trainer.objective, after=3)
    with pytest.raises(DivergenceError, match="step 3: discriminator loss is NaN"):
        loop.run()
    steps = [r["step"] for r in loop.folder.read_records() if r.get("kind") == "step"]
    assert steps == [1, 2, 3]


def test_a_compile_mode_without_compile_is_refused_in_one_line():
    with pytest.raises(ConfigError, match="compile_mode reduce-overhead applies with compile"):
        resolve_config("mlp-mnist", overrides={"compile_mode": "reduce-overhead"})
    assert resolve_config("mlp-mnist", overrides={"compile": "true", "compile_mode":
                                                  "max-autotune"}).train.compile
