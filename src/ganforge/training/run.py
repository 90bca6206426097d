"""Build the data, networks and objective a run needs from its config, then train.
ganforge.api adds the observers (evaluation, TensorBoard) and is what `ganforge train` and
`ganforge.train` call."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

import torch

from ganforge.config import RunConfig, resume_config
from ganforge.data import load_dataset
from ganforge.data.fingerprint import data_change, fingerprint, refuse_class_change
from ganforge.data.prepare_options import run_options
from ganforge.errors import ConfigError, DiskFullError
from ganforge.losses import get_loss
from ganforge.model_configs import Condition, condition_of
from ganforge.models import build_models
from ganforge.models.noise import sample_noise
from ganforge.runs.folder import RunFolder
from ganforge.runtime.busy_watch import watch_cores
from ganforge.runtime.device import (
    begin_captured_step,
    captures_cuda_graphs,
    compile_networks,
    make_precision,
    place_networks,
    precision_note,
    resolve_device,
)
from ganforge.runtime.distributed import (
    init_from_env,
    launched_by_torchrun,
    rank_device,
    refuse_sync_bn,
)
from ganforge.training.batch_needs import batch_source
from ganforge.training.grid import grid_conditions
from ganforge.training.loop import TrainingLoop
from ganforge.training.objectives import AdversarialObjective
from ganforge.training.observers import Observer
from ganforge.training.progress import nothing_to_train, start_line
from ganforge.training.regularizers import Stabilisers, bind_progress, plan_stabilisers
from ganforge.training.resume_point import go_on_from, starting_point
from ganforge.training.resume_record import refuse_world_change
from ganforge.training.signals import stop_on_signals
from ganforge.training.state import restore_state
from ganforge.training.text_objective import TextConditionalObjective
from ganforge.training.trainer import Trainer, default_schedule


def fit_to_data(config: RunConfig, channels: int, image_size: int,
                fields: dict[str, int] | None = None) -> RunConfig:
    """Fill the model's image shape from the data set, and what else the data set dictates
    (`fields`, e.g. text_dim and num_classes of a captioned set) that the model config has;
    refuse a model that cannot fit it."""
    known = {f.name for f in dataclasses.fields(config.model)}
    extra = {k: v for k, v in (fields or {}).items() if k in known}
    model = dataclasses.replace(config.model, channels=channels, image_size=image_size, **extra)
    fixed = model.fixed_image_size
    if fixed is not None and image_size != fixed:
        raise ConfigError(f"arch {model.arch} needs {fixed}x{fixed} images; "
                          f"{config.data.dataset} has {image_size}x{image_size}")
    return dataclasses.replace(config, model=model)


def adam(module: torch.nn.Module, lr: float, betas: tuple[float, float]) -> torch.optim.Adam:
    """Adam with the fused kernel (several times faster on CPU than the per-tensor loop)."""
    return torch.optim.Adam(module.parameters(), lr=lr, betas=betas, fused=True)


def adversarial_objective(config: RunConfig, plan: Stabilisers) -> AdversarialObjective:
    """Systems 1 and 2 and the class-conditional DCGAN: real images against G(z) (or
    G(z, classes)), with the run's penalties and noise."""
    codes, code_weight = config.model.latent_code()
    return AdversarialObjective(
        loss=get_loss(config.loss.loss), latent_dim=config.model.latent_dim,
        noise=config.train.noise, real_target=config.loss.label_smoothing,
        penalties=plan.penalties, instance_noise=plan.instance_noise, augment=plan.augment,
        codes=codes, code_weight=code_weight)


# What a run is conditioned on (model_configs.condition_of) -> factory(config, stabilisers
# plan) of its objective: what the losses compare.
OBJECTIVES: dict[Condition, Callable[[RunConfig, Stabilisers], AdversarialObjective]] = {
    "none": adversarial_objective,
    "class": adversarial_objective,
    "text": TextConditionalObjective.from_config,
}


def build_trainer(config: RunConfig) -> Trainer:
    """Networks, optimizers and objective from the config (seeded: repeatable weights); the
    loss's needs and the stabilisers come from regularizers.plan_stabilisers."""
    torch.manual_seed(config.train.seed)
    generator, discriminator = build_models(config.model)
    t = config.train
    device = place_networks(t.device, t.threads, generator, discriminator)
    if t.sync_bn:
        refuse_sync_bn(device, generator, discriminator)
    o = config.optim
    betas = (o.beta1, o.beta2)
    loss = get_loss(config.loss.loss)
    plan = plan_stabilisers(loss, config.loss, config.train.d_steps)
    discriminator = plan.prepare_discriminator(discriminator, loss.name)
    objective = OBJECTIVES[condition_of(config.model)](config, plan)
    trainer = Trainer(
        generator=generator,
        discriminator=discriminator,
        opt_g=adam(generator, o.lr_g, betas),
        opt_d=adam(discriminator, o.lr_d, betas),
        objective=objective,
        schedule=default_schedule(plan.d_steps),
        on_nan=config.train.on_nan,
        d_hooks=plan.d_hooks,
        ema=config.loss.ema,
        precision=make_precision(t.precision, device),
    )
    trainer.sync_checks = device.type == "cpu"  # elsewhere: no host sync inside a step
    if t.compile:
        compile_networks(device, generator, discriminator, mode=t.compile_mode)
        if captures_cuda_graphs(t.compile_mode, device):  # a new step before each batch
            trainer.batch_hooks.append(begin_captured_step)
    return trainer


def prepare(config: RunConfig, data, folder: RunFolder, progress: bool | float | None,
            observers: Sequence[Observer]) -> TrainingLoop:
    """Networks and loop for `config` (already fitted to `data`, an ImageData)."""
    if len(data) < config.train.batch_size:
        raise ConfigError(
            f"batch_size {config.train.batch_size} is larger than the data set ({len(data)} images)"
        )
    trainer = build_trainer(config)
    seed, grid = config.train.seed, config.train.grid
    device = resolve_device(config.train.device)  # the data set moves there once
    fixed_noise = sample_noise(grid * grid, config.model.latent_dim, config.train.noise,
                               generator=torch.Generator().manual_seed(seed + 1)).to(device)
    source = batch_source(data, trainer.objective.needs(), condition_of(config.model), device,
                          torch.Generator().manual_seed(seed + 3))
    fixed_cond, fixed_captions = grid_conditions(config, fixed_noise, seed + 4, data)
    loop = TrainingLoop(trainer, source, config, folder, fixed_noise,
                        torch.Generator().manual_seed(seed + 2), progress=progress,
                        observers=observers, fixed_cond=fixed_cond,
                        fixed_captions=fixed_captions)
    loop.data_record = fingerprint(data)
    note = precision_note(config.train.precision, device)
    if note:
        loop.log(note)
    bind_progress(loop)
    return loop


def load_training_data(config: RunConfig):
    d = config.data
    return load_dataset(d.dataset, "train", d.data_dir, d.limit,
                        text_encoder=text_encoder_of(config), options=run_options(config))


def check_data_fits(config: RunConfig, data) -> None:
    """A resumed run's data set must still dictate the model the run was built for (its
    image shape, class count, caption vector size): a folder whose images, class subfolders
    or captions changed since is one line, not an index error deep in a network."""
    now = dataclasses.asdict(fit_to_data(config, data.channels, data.size,
                                         data.model_fields()).model)
    was = dataclasses.asdict(config.model)
    changed = [(k, now[k], was[k]) for k in now if now[k] != was[k]]
    if changed:
        said = ", ".join(f"{k.replace('_', ' ')} {now} (the run's: {was})"
                         for k, now, was in changed)
        raise ConfigError(f"{config.data.dataset}: the data set has changed since the run "
                          f"began: {said}; restore it, or train a new run")


def record_data_shape(config: RunConfig, data) -> RunConfig:
    """A folder run keeps the size it was prepared at in its [data] settings, so evaluation,
    resuming and serving prepare the folder the same way (and find it in the cache). The
    channels stay as the user set them: left unset, the same images give the same answer."""
    from ganforge.data.registry import lookup

    if lookup(config.data.dataset).path is None:
        return config
    return dataclasses.replace(config, data=dataclasses.replace(config.data,
                                                                image_size=data.size))


def text_encoder_of(config: RunConfig) -> str | None:
    """The sentence encoder of a text-conditioned run's captions (None for other runs)."""
    return config.model.text_encoder if condition_of(config.model) == "text" else None


def train(
    config: RunConfig,
    out: Path | str,
    *,
    force: bool = False,
    progress: bool | float | None = None,
    observers: Sequence[Observer] = (),
) -> Path:
    """Train a GAN as `config` says and leave the run folder in `out`; returns its path.

    Everything that can fail on bad input (settings, data) fails before `out` is touched.
    `progress`: None = tqdm's bar on a terminal, else a plain line every 30 s; a number =
    a plain line every that many seconds; True = the bar; False = neither.
    """
    data = load_training_data(config)
    config = fit_to_data(record_data_shape(config, data), data.channels, data.size,
                         data.model_fields())
    device = collective_device(config)
    loop = prepare(config, data, RunFolder(out), progress, observers)
    ctx = join_ranks(loop, device)
    if ctx.is_writer:
        loop.folder = RunFolder.create(out, config, force=force)
        loop.log(start_line(loop))
    return _run(loop)


def resume(
    run: Path | str,
    overrides: dict[str, str] | None = None,
    *,
    checkpoint: Path | str | None = None,
    progress: bool | float | None = None,
    observers: Sequence[Observer] = (),
    warn=print,
) -> Path:
    """Continue a run from its newest intact checkpoint (or `checkpoint`), exactly; a run
    that already reached its end is left as it is (`warn` says how to train longer). Going
    on from a checkpoint older than others in the run sets the later line aside first
    (training.resume_point; `warn` says where)."""
    folder = RunFolder(run)
    path, meta, tensors = starting_point(folder, checkpoint, warn)
    config = resume_config(meta, folder.read_config(), overrides or {}, str(path))
    device = collective_device(config)
    data = load_training_data(config)
    check_data_fits(config, data)
    refuse_class_change(meta, data, config.data.dataset)
    loop = prepare(config, data, folder, progress, observers)
    ctx = join_ranks(loop, device)
    refuse_world_change(meta, ctx.world_size, config.train.batch_size, path)
    restore_state(loop, meta, tensors, path)
    change = data_change(meta.get("data"), loop.data_record, config.data.dataset)
    if change is not None and ctx.is_writer:
        warn(change)
    if loop.finished():
        if ctx.is_writer:
            warn(nothing_to_train(loop))
        return folder.path
    if not ctx.is_writer:  # rank 0's noise stream was saved; the others derive theirs anew
        torch.manual_seed(config.train.seed * 7919 + meta["step"] * 104729 + ctx.rank)
    go_on_from(loop, meta, path, warn)
    loop.folder.write_config(config)
    if ctx.is_writer:
        loop.log(start_line(loop, resumed=f"{path.name} (step {meta['step']})"))
    return _run(loop)


def collective_device(config: RunConfig) -> torch.device:
    """Under torchrun, before the networks and data are placed: this rank's device for its
    collectives (distributed.rank_device: its own GPU, made current, on CUDA; else the CPU).
    The CPU when torchrun did not start this process (nothing is joined then)."""
    if not launched_by_torchrun():
        return torch.device("cpu")
    return rank_device(resolve_device(config.train.device))


def join_ranks(loop: TrainingLoop, device: torch.device):
    """When torchrun started several processes: join them (nccl on a CUDA `device`, gloo on
    the CPU), wrap the networks, shard the data."""
    if not launched_by_torchrun():
        return loop.dist
    train_cfg, optim = loop.config.train, loop.config.optim
    ctx = init_from_env(device)
    torch.manual_seed(train_cfg.seed * 7919 + ctx.rank)  # each rank its own noise stream
    loop.trainer.distribute(ctx, device, sync_bn=train_cfg.sync_bn)
    loop.distribute(ctx)
    if ctx.is_writer:
        print(f"distributed: {ctx.world_size} ranks ({torch.distributed.get_backend()}), "
              f"batch {train_cfg.batch_size} per rank = {train_cfg.batch_size * ctx.world_size} "
              f"effective; lr_g {optim.lr_g:g}, lr_d {optim.lr_d:g} (not scaled)", flush=True)
    return ctx


def _run(loop: TrainingLoop) -> Path:
    try:
        with stop_on_signals(loop), watch_cores(loop.device):  # shorter spins while others run
            loop.run()
    except DiskFullError as exc:
        raise DiskFullError(f"{exc}; last good checkpoint: {loop.last_good()}") from None
    return loop.folder.path
