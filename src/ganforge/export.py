"""`ganforge pretrained export`: turn a run's checkpoint into a shipped generator.

Writes `NAME.safetensors` (the generator's weights only, the EMA copy when the run kept one,
floating tensors as float32) and then `NAME.json`: the checkpoint fields every loader reads
(config, step, tensor file, SHA-256) plus the training command, the evaluation command and
the metrics it measured (evaluated here as `ganforge evaluate` does, seed 0, unless an
eval.json of the same checkpoint is given).
"""

from __future__ import annotations

from pathlib import Path
from shlex import quote
from typing import Any

from ganforge.errors import CheckpointError, ConfigError, DataError
from ganforge.fileio import output_folder, read_json
from ganforge.pretrained.store import MAX_BYTES, MAX_NAME, NAME_PATTERN, pretrained_folder
from ganforge.runs.folder import RunFolder

DEFAULT_SEED = 0
MAX_METRICS_BYTES = 16 * 1024 * 1024  # an evaluation JSON (`--metrics`): a few KB


def generator_tensors(tensors: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The generator's tensors (EMA ones when present, keeping their prefix) with floating
    tensors as float32; and whether they are the EMA weights."""
    import torch

    ema = any(k.startswith("generator_ema.") for k in tensors)
    prefix = "generator_ema." if ema else "generator."
    kept = {k: v.detach().cpu() for k, v in tensors.items() if k.startswith(prefix)}
    if not kept:
        raise CheckpointError("checkpoint holds no generator weights")
    return {k: (v.to(torch.float32) if v.is_floating_point() else v).contiguous()
            for k, v in kept.items()}, ema


def evaluate_checkpoint(path: Path | str, n: int | None = None, seed: int = DEFAULT_SEED
                        ) -> dict[str, Any]:
    """`ganforge evaluate`'s result for one checkpoint file (a run's or a shipped one); `n`
    None: evaluate's own count for the data set (10,000, or a text run's held-out captions)."""
    from ganforge.metrics.evaluate import evaluate_run

    return evaluate_run(path, n, seed=seed)  # a text run's condition picks its own drawing


def evaluation_record(result: dict[str, Any]) -> dict[str, Any]:
    """The part of an evaluation result a shipped generator keeps."""
    record = {key: result[key] for key in ("n", "seed", "dataset", "features", "metrics", "real")
              if key in result}
    if "alignment" in result:
        record["alignment"] = result["alignment"]
    return record


def read_metrics(path: Path | str, step: int, sha256: str | None = None) -> dict[str, Any]:
    """A saved evaluation (`ganforge evaluate ... --json` / RUN/eval.json) of step `step`, and
    of the checkpoint whose tensors have digest `sha256` where both record one."""
    try:  # a regular file of bounded size and nesting (no FIFO, device or deep record)
        result = read_json(path, MAX_METRICS_BYTES, "evaluation JSON")
    except DataError as exc:
        raise ConfigError(f"--metrics {exc}") from None
    if not isinstance(result, dict) or not isinstance(result.get("metrics"), dict):
        raise ConfigError(f"--metrics {path}: no 'metrics' in it (write it with ganforge "
                          "evaluate RUN --json FILE)")
    if result.get("step") != step:
        raise ConfigError(f"--metrics {path}: evaluates step {result.get('step')}, the "
                          f"exported checkpoint is step {step}")
    evaluated = result.get("checkpoint_sha256")
    if evaluated is not None and sha256 is not None and evaluated != sha256:
        raise ConfigError(f"--metrics {path}: evaluates another checkpoint "
                          f"({result.get('checkpoint')}) than the one exported")
    return result


def eval_command(run: str, n: int, seed: int, checkpoint: str | None) -> str:
    """The command line that measures the figures kept with a generator."""
    tail = f" --checkpoint {checkpoint}" if checkpoint else ""
    return f"ganforge evaluate {quote(str(run))} --n {n} --seed {seed}{tail}"


def _source(run: Path, checkpoint: str | None) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    from ganforge.metrics.evaluate import resolve_checkpoint
    from ganforge.runs.checkpoint import newest_checkpoint, read_checkpoint

    if not run.exists():
        raise CheckpointError(f"{run}: no such run folder or checkpoint")
    path = resolve_checkpoint(run, checkpoint)
    path = newest_checkpoint(path) if path.is_dir() else path.with_suffix(".json")
    meta, tensors = read_checkpoint(path)
    return path, meta, tensors


def _target(name: str, folder: Path | str | None, force: bool) -> Path:
    """The folder to write into, after checking the name and that it is free (or --force)."""
    if len(name) > MAX_NAME:
        raise ConfigError(f"name {name[:40]!r}... is {len(name)} characters long; a name has at "
                          f"most {MAX_NAME}")
    if not NAME_PATTERN.fullmatch(name):
        raise ConfigError(f"name {name!r}: use lower-case letters, digits, '.', '_' and '-'")
    target = Path(folder) if folder is not None else pretrained_folder()
    output_folder(target)  # a file, a path under one, read-only: one line, before evaluating
    if (target / f"{name}.json").exists() and not force:
        raise ConfigError(f"{target / name}.json exists; add --force to replace it")
    return target


def build_record(name: str, source: Path, meta: dict[str, Any], result: dict[str, Any], *,
                 ema: bool, size: int, command: str | None, eval_run: str,
                 checkpoint: str | None) -> dict[str, Any]:
    """The `pretrained` record: what the generator is, how it was trained and measured."""
    config = meta["config"]
    evaluated = evaluation_record(result)
    return {
        "name": name, "arch": config.get("model", {}).get("arch"),
        "dataset": config.get("data", {}).get("dataset"), "ema": ema, "bytes": size,
        "train_command": command or f"ganforge train --config {RunFolder(run_dir(source)).config}",
        "eval_command": eval_command(eval_run, evaluated["n"], evaluated["seed"], checkpoint),
        "evaluation": evaluated,
        "source": {"run": str(run_dir(source)), "checkpoint": source.name,
                   "sha256": meta.get("sha256"), "step": int(meta.get("step", 0)),
                   "epoch": meta.get("epoch"), "ganforge_version": meta.get("ganforge_version")}}


def export_run(run: Path | str, name: str, *, checkpoint: str | None = None,
               command: str | None = None, metrics: Path | str | None = None,
               n: int | None = None, seed: int = DEFAULT_SEED, folder: Path | str | None = None,
               force: bool = False) -> Path:
    """Write `name`.safetensors and `name`.json into `folder` (default: the shipped
    generators' folder) from a run folder or checkpoint; returns the JSON's path."""
    from safetensors.torch import save

    from ganforge.fileio import atomic_write_bytes, atomic_write_json, sha256_bytes

    target = _target(name, folder, force)
    source, meta, tensors = _source(Path(run), checkpoint)
    if not isinstance(meta.get("config"), dict):
        raise CheckpointError(f"{source}: checkpoint holds no config")
    weights, ema = generator_tensors(tensors)
    blob = save(weights)
    if len(blob) > MAX_BYTES:
        raise ConfigError(f"{source}: the generator takes {len(blob) / 2**20:.1f} MB, more than "
                          f"the {MAX_BYTES // 2**20} MB a shipped generator may take")
    step = int(meta.get("step", 0))
    if metrics is not None:
        result = read_metrics(metrics, step, meta.get("sha256"))
        eval_run = str(result.get("run", run))
    else:
        result = evaluate_checkpoint(source, n, seed)
        eval_run = str(run)
    entry = {"format": meta["format"], "version": meta["version"], "config": meta["config"],
             "step": step, "epoch": meta.get("epoch"), "tensors": f"{name}.safetensors",
             "sha256": sha256_bytes(blob), "pretrained": build_record(
                 name, source, meta, result, ema=ema, size=len(blob), command=command,
                 eval_run=eval_run, checkpoint=checkpoint)}
    if isinstance(meta.get("fixed_captions"), list):  # example captions of `ganforge serve`
        entry["fixed_captions"] = meta["fixed_captions"]
    if isinstance(meta.get("data"), dict):  # what it was trained on (`sample --class` names)
        entry["data"] = meta["data"]
    atomic_write_bytes(target / f"{name}.safetensors", blob)
    path = target / f"{name}.json"
    atomic_write_json(path, entry)  # last: a record without its tensor file never exists
    return path


def run_dir(checkpoint: Path) -> Path:
    """The run folder of a checkpoint file inside RUN/checkpoints/."""
    return checkpoint.parent.parent


def store_evaluation(name: str, result: dict[str, Any], folder: Path | str | None = None
                     ) -> Path:
    """Replace shipped generator `name`'s measured figures with `result` (`ganforge pretrained
    evaluate NAME --store`: after an evaluator changes, the same generator measured again);
    its weights and every other field stay as they are; "remeasured_by" names the command.
    Returns the JSON's path."""
    from ganforge.fileio import atomic_write_json
    from ganforge.pretrained.store import entry_path, read_entry

    entry = read_entry(name, folder)
    record = entry["pretrained"]
    evaluated = evaluation_record(result)
    record["evaluation"] = evaluated
    record["remeasured_by"] = (f"ganforge pretrained evaluate {name} --n {evaluated['n']} "
                               f"--seed {evaluated['seed']} --store")
    path = entry_path(name, folder)
    atomic_write_json(path, entry)
    return path
