"""`ganforge compare RUN_A RUN_B ... --out DIR`: several runs on one page.

DIR/compare.gif shows the runs' sample grids from the same fixed noise epoch by epoch side
by side; DIR/compare.html (self-contained) holds that animation, the runs' per-epoch
training statistics and evaluation metrics on shared axes, a table of their final figures
and the settings in which they differ. It is the SPEC's GAN-vs-DCGAN comparison for any runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ganforge.errors import ConfigError
from ganforge.fileio import atomic_write_text, output_folder
from ganforge.metrics.summary import ROWS
from ganforge.report import html as h
from ganforge.report.metrics import (
    STEP_LABELS,
    evaluated_figures,
    last_epoch_stats,
    last_eval,
    metric_keys,
    with_floor,
)
from ganforge.report.plots import epoch_stats_plot, eval_plot
from ganforge.report.run_data import RunData, load_run
from ganforge.report.side_by_side import write_side_by_side

PAGE_NAME = "compare.html"
GIF_NAME = "compare.gif"
_NOISE_KEYS = (("train", "seed"), ("train", "noise"), ("model", "latent_dim"), ("train", "grid"))


def write_compare(runs: Sequence[Path | str], out: Path | str) -> Path:
    """Compare run folders into folder `out`; return the path of compare.html."""
    if len(runs) < 2:
        raise ConfigError(f"compare needs at least two run folders, got {len(runs)}")
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder}: exists and is not a folder (--out names a folder)")
    loaded = [load_run(r) for r in runs]
    names = unique_names(loaded)
    output_folder(folder)
    gif = folder / GIF_NAME
    epochs = write_side_by_side(loaded, names, gif)
    page = build_compare(loaded, names, gif if epochs else None, epochs)
    return atomic_write_text(folder / PAGE_NAME, page)


def unique_names(runs: Sequence[RunData]) -> list[str]:
    """Folder names, with the parent folder added (then a number) where they clash."""
    names = [r.name for r in runs]
    if len(set(names)) < len(names):
        names = [f"{r.path.resolve().parent.name}/{r.name}" for r in runs]
    if len(set(names)) < len(names):
        names = [f"{n} #{i + 1}" for i, n in enumerate(names)]
    return names


def build_compare(runs: Sequence[RunData], names: Sequence[str], gif: Path | None,
                  epochs: Sequence[int]) -> str:
    """The comparison page as a string."""
    parts = [animation_section(runs, gif, epochs),
             curves_section(runs, names),
             final_section(runs, names),
             *evaluated_section(runs, names),
             differences_section(runs, names)]
    return h.page(f"ganforge comparison: {' vs '.join(names)}", parts)


def same_noise(runs: Sequence[RunData]) -> bool:
    """Whether the runs drew their fixed noise alike (same seed, kind, latent size, grid)."""
    return all(len({str(r.setting(s, k)) for r in runs}) == 1 for s, k in _NOISE_KEYS)


def animation_section(runs: Sequence[RunData], gif: Path | None,
                      epochs: Sequence[int]) -> h.Html:
    if gif is None:
        return h.section("Samples by epoch", h.note("none of the runs has sample grids yet"))
    shown = h.figure(h.file_img(gif, "samples by epoch, side by side", "compare-gif"),
                     f"epochs {epochs[0]} to {epochs[-1]}; a run that has stopped "
                     "holds its last grid")
    if same_noise(runs):
        remark = h.note("every grid comes from the same fixed noise (same seed, noise kind "
                        "and latent size), so cells in the same place can be compared")
    else:
        remark = h.note("warning: the runs differ in seed, noise kind, latent size or grid, "
                        "so their grids come from different noise")
    return h.section("Samples by epoch", shown, remark)


def curves_section(runs: Sequence[RunData], names: Sequence[str]) -> h.Html:
    parts = []
    stats = epoch_stats_plot({n: r.steps for n, r in zip(names, runs, strict=True)})
    if stats is not None:
        parts.append(h.img(stats, "image/png", "training statistics per epoch", "curves"))
    metrics = eval_plot({n: r.evals for n, r in zip(names, runs, strict=True)})
    if metrics is not None:
        parts.append(h.img(metrics, "image/png", "evaluation metrics per epoch", "metrics"))
        parts.append(h.note("dashed: the metric between two sets of real images (its floor)"))
    else:
        parts.append(h.note("no evaluation records in these runs"))
    return h.section("Curves", *parts)


def final_section(runs: Sequence[RunData], names: Sequence[str]) -> h.Html:
    """One row per run: size of the run, last-epoch statistics, last evaluation."""
    metrics = metric_keys([e for r in runs for e in r.evals])
    header = ["run", "arch", "data set", "epochs", "steps",
              *[STEP_LABELS[k] for k in STEP_LABELS], *[m.label for m in metrics],
              "best epoch"]
    rows = []
    for name, run in zip(names, runs, strict=True):
        stats = last_epoch_stats(run.steps)
        final = last_eval(run.evals)
        rows.append([name, run.setting("model", "arch", "-"),
                     run.setting("data", "dataset", "-"), run.epochs_done, run.last_step,
                     *[stats.get(k, "-") for k in STEP_LABELS],
                     *[with_floor(final, m) for m in metrics],
                     run.best_epoch if run.best_epoch is not None else "-"])
    return h.section("Final figures", h.table(header, rows),
                     h.note("losses and D outputs: means over each run's last epoch; metrics: "
                            "its last evaluation"))


def evaluated_section(runs: Sequence[RunData], names: Sequence[str]) -> list[h.Html]:
    """Each run's last `ganforge evaluate` (eval.json), beside its floor, with its step, n and
    seed; nothing when no run has one."""
    scored = [(name, run.evaluated, evaluated_figures(run.evaluated))
              for name, run in zip(names, runs, strict=True) if run.evaluated is not None]
    if not scored:
        return []
    labels = [label for _, label, _ in ROWS if any(label in f for *_, f in scored)]
    rows = [[name, e.get("step", "-"), e.get("n", "-"), e.get("seed", "-"),
             *[f"{f[label][0]} (real {f[label][1]})" if f.get(label) else "-" for label in labels]]
            for name, e, f in scored]
    return [h.section("ganforge evaluate", h.table(["run", "step", "n", "seed", *labels], rows),
                      h.note("each run's eval.json: the figures of its own n, so they differ "
                             "from the in-training records above"))]


def _flat(settings: dict[str, Any]) -> dict[str, Any]:
    flat = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat


def differences_section(runs: Sequence[RunData], names: Sequence[str]) -> h.Html:
    """The settings whose values are not the same in every run."""
    flats = [_flat(r.settings) for r in runs]
    keys = sorted({k for f in flats for k in f})
    rows = [[key, *[str(f.get(key, "-")) for f in flats]] for key in keys
            if len({str(f.get(key)) for f in flats}) > 1]
    if not rows:
        return h.section("Settings that differ", h.note("the runs share every setting"))
    return h.section("Settings that differ", h.table(["setting", *names], rows))
