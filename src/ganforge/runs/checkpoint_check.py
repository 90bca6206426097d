"""Checks on a checkpoint's files before any of it is used or anything is built from it.

The JSON record is read with a size bound (and deep nesting refused); its `tensors` field
must name a regular file beside it; its config passes the same typed checks as a new
config; the networks that config implies are built on the `meta` device (shapes only,
nothing allocated) and bounded in size; and every tensor shape in the safetensors header
(8-byte length + JSON, read alone) must match them. Only then are the weights read.
"""

from __future__ import annotations

import json
import os
import stat
import struct
from pathlib import Path
from typing import Any

from ganforge.errors import CheckpointError, GanforgeError

MAX_RECORD_BYTES = 16 * 1024 * 1024  # a checkpoint's JSON (config, random states, captions)
MAX_HEADER_BYTES = 16 * 1024 * 1024  # a safetensors header (names, shapes, offsets)
MAX_TENSOR_BYTES = 8 * 1024**3  # a tensor file (weights and optimizer state)
MAX_PARAMETERS = 500_000_000  # generator + discriminator (2 GB of float32 weights)
_SHAPED = ("generator.", "generator_ema.", "discriminator.")


def read_record(path: Path) -> dict[str, Any]:
    """The JSON object in `path`: bounded in size, refused when not JSON or nested too deep."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise CheckpointError(f"{path}: checkpoint not found") from None
    except OSError as exc:
        raise CheckpointError(f"{path}: unreadable ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise CheckpointError(f"{path}: not a regular file")
    if info.st_size > MAX_RECORD_BYTES:
        raise CheckpointError(f"{path}: {info.st_size} bytes, more than a checkpoint record "
                              f"may hold ({MAX_RECORD_BYTES})")
    try:
        record = json.loads(path.read_bytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError):  # JSONDecodeError is a ValueError
        raise CheckpointError(f"{path}: checkpoint metadata is not valid JSON") from None
    except RecursionError:
        raise CheckpointError(f"{path}: checkpoint metadata is nested too deep") from None
    if not isinstance(record, dict):
        raise CheckpointError(f"{path}: not a ganforge checkpoint")
    return record


def tensor_file(record_path: Path, name: Any) -> Path:
    """The tensor file a record names: a plain `.safetensors` file name in the record's own
    folder, a regular file (no device, fifo or link out of the folder), of bounded size."""
    where = f"{record_path}: 'tensors'"
    if not isinstance(name, str) or not name.endswith(".safetensors") or \
            name != Path(name).name or name.startswith(".") or "\\" in name or "\0" in name:
        raise CheckpointError(f"{where} must be a .safetensors file name beside the record, "
                              f"got {_short(name)}")
    path = record_path.parent / name
    try:
        resolved = path.resolve(strict=True)
        info = os.stat(resolved)
    except FileNotFoundError:
        raise CheckpointError(f"{path}: tensor file missing") from None
    except (OSError, RuntimeError) as exc:
        raise CheckpointError(f"{path}: tensor file unreadable ({exc})") from None
    if resolved.parent != record_path.parent.resolve():
        raise CheckpointError(f"{where}: {path} leads out of the checkpoint's folder")
    if not stat.S_ISREG(info.st_mode):
        raise CheckpointError(f"{path}: tensor file is not a regular file")
    if info.st_size > MAX_TENSOR_BYTES:
        raise CheckpointError(f"{path}: {info.st_size} bytes, more than a tensor file may "
                              f"hold ({MAX_TENSOR_BYTES})")
    return path


def read_header(path: Path) -> dict[str, tuple[int, ...]]:
    """Tensor name -> shape, from the safetensors header alone (8-byte length + JSON)."""
    with open(path, "rb") as fh:
        head = fh.read(8)
        if len(head) < 8:
            raise CheckpointError(f"{path}: unreadable tensor file (too short)")
        (length,) = struct.unpack("<Q", head)
        if length > min(MAX_HEADER_BYTES, os.fstat(fh.fileno()).st_size - 8):
            raise CheckpointError(f"{path}: unreadable tensor file (header size {length})")
        try:
            header = json.loads(fh.read(length).decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise CheckpointError(f"{path}: unreadable tensor file (header)") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{path}: unreadable tensor file (header)")
    shapes = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        shape = entry.get("shape") if isinstance(entry, dict) else None
        if not isinstance(shape, list) or not all(
                type(n) is int and 0 <= n < 2**40 for n in shape):
            raise CheckpointError(f"{path}: unreadable tensor file (shape of {_short(name)})")
        shapes[name] = tuple(shape)
    return shapes


# In-place initialisers: on the meta device they would only pass through torch's Python
# reference kernels (about 2 s of one-time warm-up on a CPU) to fill tensors with no data.
_INITIALISERS = frozenset({"normal_", "uniform_", "fill_", "zero_", "trunc_normal_",
                           "kaiming_uniform_", "kaiming_normal_", "xavier_uniform_",
                           "xavier_normal_", "constant_", "orthogonal_", "copy_"})


def _no_init_on_meta():
    """A torch function mode (thread-local) in which the initialisers leave meta tensors as
    they are: building networks only to read their shapes skips filling them."""
    from torch.overrides import TorchFunctionMode

    class NoInitOnMeta(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            target = args[0] if args else kwargs.get("tensor")  # nn.init passes tensor=
            if (getattr(func, "__name__", "") in _INITIALISERS
                    and getattr(target, "is_meta", False)):
                return target
            return func(*args, **kwargs)

    return NoInitOnMeta()


def expected_shapes(config: Any, where: str) -> dict[str, tuple[int, ...]]:
    """The state-dict shapes of the networks `config` (a RunConfig) implies, found by
    building them on the meta device; a one-line CheckpointError when they cannot be built
    or would hold more than MAX_PARAMETERS."""
    import torch  # here, not at the top: `pretrained list` reads records without torch

    from ganforge.models import build_models
    from ganforge.models.spectral import spectral_normalize

    try:
        with torch.device("meta"), _no_init_on_meta():
            generator, discriminator = build_models(config.model)
            if config.loss.spectral_norm:  # its weights are stored under the parametrization
                discriminator = spectral_normalize(discriminator)
    except GanforgeError as exc:
        raise CheckpointError(f"{where}: checkpoint config not usable ({exc})") from None
    except (RuntimeError, ValueError, TypeError, OverflowError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise CheckpointError(f"{where}: its config describes no buildable model ({first})"
                              ) from None
    count = sum(p.numel() for m in (generator, discriminator) for p in m.parameters())
    if count > MAX_PARAMETERS:
        raise CheckpointError(f"{where}: its config asks for {count:,} parameters, more than "
                              f"ganforge loads ({MAX_PARAMETERS:,})")
    shapes = {f"generator.{k}": tuple(v.shape) for k, v in generator.state_dict().items()}
    shapes.update({f"discriminator.{k}": tuple(v.shape)
                   for k, v in discriminator.state_dict().items()})
    for index, param in enumerate(generator.parameters()):  # Adam's moments are G-shaped
        shapes[f"opt_g.{index}.exp_avg"] = shapes[f"opt_g.{index}.exp_avg_sq"] = param.shape
    return shapes


def check_shapes(path: Path, found: dict[str, tuple[int, ...]],
                 expected: dict[str, tuple[int, ...]]) -> None:
    """Every network tensor in `found` has the shape `expected` says, and none is missing."""
    for name, shape in found.items():
        wanted = expected.get(name.replace("generator_ema.", "generator.", 1)
                              if name.startswith("generator_ema.") else name)
        if wanted is None and name.startswith(_SHAPED):
            raise CheckpointError(f"{path}: tensor {_short(name)} is not in the model its "
                                  "config describes")
        if wanted is not None and tuple(wanted) != shape:
            raise CheckpointError(f"{path}: tensor {_short(name)} has shape {list(shape)}, "
                                  f"the config implies {list(wanted)}")
    if not any(n.startswith(("generator.", "generator_ema.")) for n in found):
        raise CheckpointError(f"{path}: holds no generator weights")
    for prefix in _SHAPED:  # each network the file holds, it holds whole
        have = {n for n in found if n.startswith(prefix)}
        source = "discriminator." if prefix == "discriminator." else "generator."
        need = {prefix + n[len(source):] for n in expected if n.startswith(source)}
        missing = sorted(need - have) if have else []
        if missing:
            raise CheckpointError(f"{path}: tensor {missing[0]} is missing")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
