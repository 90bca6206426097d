"""Where and how training runs: the device (auto|cpu|cuda|mps), the precision the forward
passes run in (fp32, or bf16/fp16 under autocast), the CPU thread count, and the layers
swapped for faster ones with the same math on that device (cpu_layers.py).

fp32 is the default and changes nothing. bf16 (CPU, CUDA, MPS) and fp16 (CUDA only, with a
loss scaler) run the networks' forward passes under torch.autocast; D's logits come back as
float32, so the losses are computed in float32 as before. Nothing here assumes CUDA.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from dataclasses import dataclass, field

import torch
from torch import nn

from ganforge.errors import ConfigError
from ganforge.runtime.cpu_layers import fast_layers

PRECISIONS = ("fp32", "bf16", "fp16")
_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def resolve_device(name: str) -> torch.device:
    """"auto" -> cuda when present, else mps when present, else cpu; a named device must
    exist (ConfigError naming it otherwise). An indexed CUDA device (cuda:N) becomes the
    current one, so that torch's calls without a device (synchronize, memory statistics,
    is_bf16_supported, tensors put on "cuda") act on card N too, not on card 0."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps") if _mps_available() else torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ConfigError(f"--device {name}: not a device (use auto, cpu, cuda, cuda:N or mps)"
                          ) from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"--device {name}: no CUDA device available to torch "
                          f"{torch.__version__}")
    if device.type == "cuda" and (device.index or 0) >= torch.cuda.device_count():
        raise ConfigError(f"--device {name}: only {torch.cuda.device_count()} CUDA devices")
    if device.type == "mps" and not _mps_available():
        raise ConfigError(f"--device {name}: no MPS (Apple GPU) device available")
    if device.type not in ("cpu", "cuda", "mps"):
        raise ConfigError(f"--device {name}: unsupported (use auto, cpu, cuda, cuda:N or mps)")
    if device.type == "cuda" and device.index is not None:
        torch.cuda.set_device(device)
    return device


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def auto_threads() -> int:
    """The CPU threads ganforge uses by default: one per core it may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def set_threads(threads: int) -> int:
    """Set torch's intra-op CPU threads (0 = auto_threads()); returns the count in use."""
    count = threads if threads > 0 else auto_threads()
    if torch.get_num_threads() != count:
        torch.set_num_threads(count)
    return count


@dataclass
class Precision:
    """The precision of the forward passes on one device, and the matching update step."""

    name: str = "fp32"
    device_type: str = "cpu"
    _scalers: dict[int, torch.amp.GradScaler] = field(default_factory=dict, repr=False)

    @property
    def reduced(self) -> bool:
        return self.name != "fp32"

    def autocast(self) -> contextlib.AbstractContextManager:
        """A context running the forward passes in this precision (nothing for fp32)."""
        if not self.reduced:
            return contextlib.nullcontext()
        return torch.autocast(self.device_type, dtype=_DTYPES[self.name])

    def backward_step(self, loss: torch.Tensor, optimizer: torch.optim.Optimizer) -> None:
        """loss.backward() and optimizer.step(); for fp16 through a loss scaler (one per
        optimizer), which skips steps whose gradients overflowed."""
        if self.name != "fp16":
            loss.backward()
            optimizer.step()
            return
        scaler = self._scalers.get(id(optimizer))
        if scaler is None:
            scaler = self._scalers[id(optimizer)] = torch.amp.GradScaler(self.device_type)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()

    def scaler_states(self, optimizers: dict[str, torch.optim.Optimizer]) -> dict[str, dict]:
        """The fp16 loss scalers' states by optimizer name (JSON: scale, growth tracker and
        settings), for a checkpoint; {} when no scaler is in use."""
        return {name: self._scalers[id(opt)].state_dict() for name, opt in optimizers.items()
                if id(opt) in self._scalers}

    def load_scaler_states(self, optimizers: dict[str, torch.optim.Optimizer],
                           states: dict[str, dict]) -> None:
        """Put back the scalers scaler_states saved (by the same optimizer names)."""
        for name, state in states.items():
            scaler = torch.amp.GradScaler(self.device_type)
            scaler.load_state_dict(state)
            self._scalers[id(optimizers[name])] = scaler

    def float_outputs(self, module: nn.Module) -> None:
        """Have `module` return float32 (its logits), so the losses stay in float32."""
        if self.reduced:
            module.register_forward_hook(_to_float)


def _to_float(module: nn.Module, args: tuple, output):
    return float_tensors(output)


def float_tensors(value):
    """`value` with every floating-point tensor in it as float32: a tensor, or a tuple or
    list of them (a discriminator that returns its logits beside class and attribute
    heads); None and other entries unchanged."""
    if torch.is_tensor(value):
        return value.float() if value.is_floating_point() else value
    if isinstance(value, tuple | list):
        return type(value)(float_tensors(v) for v in value)
    return value


def cpu_flags() -> set[str] | None:
    """The CPU's feature flags from /proc/cpuinfo (Linux), or None where unknown."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            for line in info:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return None


def precision_note(name: str, device: torch.device, flags: set[str] | None = None) -> str | None:
    """A warning when `name` will be slower than fp32 on `device`: bf16 on an x86 CPU without
    bfloat16 instructions (avx512_bf16 or AMX) is emulated; None when nothing is known."""
    flags = cpu_flags() if flags is None else flags
    if name != "bf16" or device.type != "cpu" or not flags or "avx" not in flags:
        return None
    if flags & {"avx512_bf16", "amx_bf16", "avxvnnibf16"}:
        return None
    return ("warning: --precision bf16: this CPU has no bfloat16 instructions (avx512_bf16 or "
            "AMX), so bf16 is emulated and usually slower than fp32 here")


def make_precision(name: str, device: torch.device) -> Precision:
    """The Precision for `name` on `device`, or a ConfigError when the device cannot run it."""
    if name not in PRECISIONS:
        raise ConfigError(f"--precision {name}: unknown (known: {', '.join(PRECISIONS)})")
    if name == "fp16" and device.type != "cuda":
        raise ConfigError(f"--precision fp16 needs a CUDA device (here: {device.type}); "
                          "use bf16 on CPU")
    if name == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise ConfigError("--precision bf16: this CUDA device has no bfloat16; use fp16")
    return Precision(name, device.type)


def place_networks(device_name: str, threads: int, *networks: nn.Module) -> torch.device:
    """Set the CPU threads, resolve the device, move the networks there and give them the
    device's fast layers; returns the device."""
    set_threads(threads)
    device = resolve_device(device_name)
    enable_tf32(device)
    for network in networks:
        network.to(device)
        fast_layers(network, device)
    return device


def enable_tf32(device: torch.device) -> None:
    """On CUDA, float32 matrix products and convolutions on the TF32 tensor cores (10-bit
    mantissa inputs, float32 sums): several times the fp32 rate on Ampere and later, the
    default of most GAN code on GPUs. Nothing on other devices."""
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True


def to_device(tensor: torch.Tensor, device: torch.device) -> torch.Tensor:
    """`tensor` on `device`; from CPU to CUDA through pinned memory without waiting for the
    copy (the stream orders it before any use), so no step waits on the host."""
    if device.type != "cuda" or tensor.device.type != "cpu":
        return tensor.to(device)
    return tensor.pin_memory().to(device, non_blocking=True)


COMPILE_MODES = ("default", "reduce-overhead", "max-autotune")


def compile_networks(device: torch.device, *networks: nn.Module, mode: str = "default"
                     ) -> None:
    """torch.compile each network in place (state dict keys unchanged); compilation itself
    happens at the first forward pass. Fails first, with a ConfigError, where torch.compile
    cannot work: an unsupported Python or platform, or no C++ compiler for CPU code.
    `mode` "reduce-overhead" also captures each network's kernels as CUDA graphs (replayed
    with one launch: for small models whose steps are launch-bound); CUDA only. On CUDA,
    inductor's "max-autotune" captures CUDA graphs as well (captures_cuda_graphs)."""
    import shutil

    if mode not in COMPILE_MODES:
        raise ConfigError(f"--compile-mode {mode}: unknown (known: {', '.join(COMPILE_MODES)})")
    if mode == "reduce-overhead" and device.type != "cuda":
        raise ConfigError(f"--compile-mode reduce-overhead captures CUDA graphs and needs a "
                          f"CUDA device (here: {device.type}); use the default mode")

    with warnings.catch_warnings():
        # torch.compile's passes import torch.utils.mkldnn, whose classes still use the
        # deprecated torch.jit.script_method: torch's own notice (one per method), not ours
        # to change. Imported here once, quietly; later imports find it loaded.
        warnings.filterwarnings("ignore", message=r"`torch\.jit\.script_method` is deprecated",
                                category=DeprecationWarning)
        import torch.utils.mkldnn  # noqa: F401
    import torch._dynamo

    if not torch._dynamo.is_dynamo_supported():
        raise ConfigError("--compile: torch.compile does not support this Python or platform")
    if device.type == "cpu" and not any(
        shutil.which(c) for c in (os.environ.get("CXX", "g++"), "g++", "c++", "clang++")
    ):
        raise ConfigError("--compile on CPU needs a C++ compiler (g++ or clang++); none found")
    for network in networks:
        network.compile(mode=None if mode == "default" else mode)


def captures_cuda_graphs(mode: str, device: torch.device) -> bool:
    """Whether networks compiled in `mode` on `device` replay CUDA graphs, and so need
    begin_captured_step before each step: "reduce-overhead" and "max-autotune" (inductor
    turns on its CUDA graphs for both) on a CUDA device."""
    return device.type == "cuda" and mode in ("reduce-overhead", "max-autotune")


def begin_captured_step() -> None:
    """Before each training step of CUDA-graph-captured networks: the outputs of the
    previous step's replays may be overwritten from here on (torch.compile's graph trees
    would otherwise refuse to replay while they are alive)."""
    torch.compiler.cudagraph_mark_step_begin()
