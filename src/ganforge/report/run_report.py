"""`ganforge report RUN`: one self-contained report.html per run folder.

The page holds the resolved settings, losses and D(x)/D(G(z)) over steps, the evaluation
metrics over epochs with their real-data floors, the progress GIF, the grids of the best
and the last epoch and, for text-conditioned runs, the captions with their images. Every
image is inlined, so the file can be mailed or archived alone.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from ganforge.config import RunConfig
from ganforge.errors import ConfigError
from ganforge.fileio import atomic_write_text
from ganforge.model_configs import condition_of
from ganforge.report import html as h
from ganforge.report.metrics import (
    STEP_LABELS,
    evaluated_figures,
    last_epoch_stats,
    metric_keys,
    with_floor,
)
from ganforge.report.plots import eval_plot, loss_plot
from ganforge.report.run_data import RunData, load_run
from ganforge.runs.folder import PROGRESS_GIF, REPORT, RunFolder
from ganforge.viz import unreadable_image

REPORT_NAME = REPORT
_SMALL_GRID = 200  # grids narrower than this many pixels are shown twice their size


def grid_scale(path: Path) -> int:
    """Show small grids (28x28 digits) enlarged, large ones as they are."""
    from PIL import Image

    with Image.open(path) as image:
        return 2 if image.width <= _SMALL_GRID else 1


def write_report(run: Path | str, out: Path | str | None = None) -> Path:
    """Write the report of run folder `run` (default RUN/report.html); return its path."""
    data = load_run(run)
    target = Path(out) if out is not None else data.path / REPORT_NAME
    atomic_write_text(target, build_report(data))
    return target


def build_report(run: RunData) -> str:
    """The report page as a string."""
    parts = [
        summary_section(run),
        samples_section(run),
        curves_section(run),
        eval_section(run),
    ]
    if run.captions is not None or text_conditioned(run):
        parts.append(captions_section(run))
    parts.append(settings_section(run.settings))
    return h.page(f"ganforge run report: {run.name}", parts)


def summary_section(run: RunData) -> h.Html:
    """What the run is and how far it got."""
    last = last_epoch_stats(run.steps)
    rows: list[list[Any]] = [
        ["run folder", str(run.path)],
        ["preset", run.settings.get("preset", "-")],
        ["data set", run.setting("data", "dataset", "-")],
        ["architecture", run.setting("model", "arch", "-")],
        ["loss", run.setting("loss", "loss", "-")],
        ["epochs done / planned", f"{run.epochs_done} / {run.setting('train', 'epochs', '-')}"],
        ["generator steps", run.last_step],
    ]
    rows += [[f"{STEP_LABELS[k]} (last epoch mean)", v] for k, v in last.items()]
    if run.best_epoch is not None:
        rows.append(["best epoch", run.best_epoch])
    return h.section("Summary", h.table(["", "value"], rows))


def samples_section(run: RunData) -> h.Html:
    """The progress GIF, then the best and the last epoch's grids; a note for each grid
    left out because it cannot be read."""
    skipped = [h.note(f"{p.name} left out: {why}") for p, why in run.unreadable.items()]
    if not run.samples:
        return h.section("Samples", h.note("no sample grids yet"), *skipped)
    parts = [*skipped, h.figure(progress_gif(run), f"samples from fixed noise, epochs "
                                                   f"{min(run.samples)} to {max(run.samples)}")]
    last = max(run.samples)
    best = run.best_epoch
    scale = grid_scale(run.samples[last])
    if best is not None and best != last and best in run.samples:
        parts.append(h.figure(h.file_img(run.samples[best], f"epoch {best} grid", "grid",
                                         scale=scale), f"best: epoch {best}"))
    label = "best and last" if best == last else "last"
    parts.append(h.figure(h.file_img(run.samples[last], f"epoch {last} grid", "grid",
                                     scale=scale), f"{label}: epoch {last}"))
    if best is not None and best not in run.samples:
        parts.append(h.note(f"best epoch {best} has no sample grid"))
    return h.section("Samples", *parts)


def progress_gif(run: RunData) -> h.Html:
    """progress.gif inlined; for a run still training, drawn from the grids so far."""
    from ganforge.viz import make_gif

    path = run.path / PROGRESS_GIF
    if path.is_file() and _gif_is_current(path, run):
        return h.file_img(path, "samples over epochs", "progress")
    epochs = list(run.samples)
    with tempfile.TemporaryDirectory(prefix="ganforge-report-") as folder:
        gif = make_gif([run.samples[e] for e in epochs], Path(folder) / PROGRESS_GIF,
                       labels=[f"epoch {e}" for e in epochs], scale=2)
        return h.img(gif.read_bytes(), "image/gif", "samples over epochs", "progress",
                     pixels=True)


def _gif_is_current(path: Path, run: RunData) -> bool:
    """progress.gif has one frame per grid (it is stale while a run is still training)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return getattr(image, "n_frames", 1) == len(run.samples)
    except Exception:  # a damaged progress.gif is drawn afresh from the grids
        return False


def curves_section(run: RunData) -> h.Html:
    """Losses and D outputs over steps."""
    if not run.steps:
        return h.section("Training curves", h.note("no step records yet"))
    png = loss_plot(run.steps, title=run.name)
    return h.section("Training curves", h.img(png, "image/png", "losses over steps", "losses"))


def eval_section(run: RunData) -> h.Html:
    """Evaluation metrics over epochs (plot and table), with real-data floors."""
    metrics = metric_keys(run.evals)
    if not metrics:
        return h.section("Evaluation", h.note(
            "no evaluation records in metrics.jsonl (evaluation during training off or not "
            "run yet)"),
            *evaluated_part(run))
    png = eval_plot({run.name: run.evals})
    header = ["epoch", "step", *[m.label for m in metrics]]
    rows = [[r.get("epoch", "-"), r.get("step", "-"), *[with_floor(r, m) for m in metrics]]
            for r in sorted(run.evals, key=lambda r: (r.get("step") or 0))]
    parts = [h.img(png, "image/png", "evaluation metrics over epochs", "metrics"),
             h.table(header, rows),
             h.note("dashed lines and '(real ...)': the same measure between two sets of "
                    "real images, the best a generator can reach")]
    return h.section("Evaluation", *parts, *evaluated_part(run))


def evaluated_part(run: RunData) -> list[h.Html]:
    """The last `ganforge evaluate` of the run (eval.json), with its step, count and seed:
    its figures are of its own n, so they differ from the in-training records'."""
    e = run.evaluated
    if e is None:
        return []
    rows = [[label, *(figure or ("-", "-"))] for label, figure in evaluated_figures(e).items()]
    said = f"step {e.get('step', '-')}, {e.get('n', '-')} samples, seed {e.get('seed', '-')}"
    return [h.note(f"ganforge evaluate (eval.json): {said}"),
            h.table(["metric", "generated", "real data"], rows)]


def text_conditioned(run: RunData) -> bool:
    """Whether the run draws images from captions (its model is conditioned on text); a
    config.toml ganforge cannot read says no (its settings are still shown as written)."""
    try:
        config = RunConfig.from_dict(run.settings, str(RunFolder(run.path).config))
    except ConfigError:
        return False
    return condition_of(config.model) == "text"


def captions_section(run: RunData) -> h.Html:
    """Captions and the images generated from them."""
    if run.captions is None:
        return h.section("Captions", h.note("no captions.json in the run folder yet"))
    rows = []
    for entry in run.captions:
        why = unreadable_image(entry.image)
        if why is None:
            cell: object = h.file_img(entry.image, entry.caption, "caption",
                                      scale=grid_scale(entry.image))
        elif not entry.image.exists():
            cell = f"(image missing: {entry.image.name})"
        else:
            cell = f"(image unreadable: {entry.image.name}, {why})"
        rows.append([entry.caption, cell])
    if not rows:
        return h.section("Captions", h.note("captions.json lists no captions"))
    return h.section("Captions", h.table(["caption", "generated image"], rows))


def settings_section(settings: dict[str, Any]) -> h.Html:
    """config.toml as one table per section."""
    tables = []
    top = [[k, _value(v)] for k, v in settings.items() if not isinstance(v, dict)]
    if top:
        tables.append(h.table(["run", ""], top))
    for name, values in settings.items():
        if isinstance(values, dict):
            rows = [[k, _value(v)] for k, v in values.items()]
            tables.append(h.table([f"[{name}]", ""], rows))
    return h.section("Settings", h.Html('<div class="settings">' + "".join(tables) + "</div>"))


def _value(value: Any) -> Any:
    """Lists as comma-separated text; other values as they are."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value
