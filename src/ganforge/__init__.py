"""ganforge: train, evaluate and use Generative Adversarial Networks.

The command line's work as small functions, for scripts and notebooks::

    from ganforge import resolve_config, train, load_generator, generate, show
    cfg = resolve_config("dcgan-mnist", overrides={"epochs": "5", "eval_every": "1"})
    run = train(cfg, "runs/dcgan")   # what `ganforge train` writes, evaluation included
    images = generate(load_generator(run), n=64, seed=0)   # (64, 1, 28, 28) in [-1, 1]
    show(images)   # the grid, inline in a notebook

Names are imported on first use, so `import ganforge` is instant.
"""

from __future__ import annotations

import sys

from ganforge.lazy import lazy_getattr

if "torch" not in sys.modules:  # how idle CPU threads wait (runtime/wait_policy.py)
    from ganforge.runtime.wait_policy import choose_spin

    choose_spin()

__version__ = "0.1.0"

_EXPORTS = {
    "resolve_config": "ganforge.config",
    "RunConfig": "ganforge.config",
    "list_presets": "ganforge.config",
    "train": "ganforge.api",
    "resume": "ganforge.api",
    "show": "ganforge.viz.show",
    "Grid": "ganforge.viz.show",
    "build_trainer": "ganforge.training.run",
    "Trainer": "ganforge.training.trainer",
    "load_generator": "ganforge.sampling.generator",
    "generate": "ganforge.sampling.generator",
    "export_images": "ganforge.sampling.generator",
    "load_dataset": "ganforge.data",
    "build_models": "ganforge.models",
    "get_loss": "ganforge.losses",
    "GanforgeError": "ganforge.errors",
    "evaluate_run": "ganforge.metrics.evaluate",
    "evaluate_images": "ganforge.metrics.evaluate",
    "evaluate_npz": "ganforge.metrics.evaluate",
    "fit_evaluator": "ganforge.metrics.evaluator_fit",
    "PrepareOptions": "ganforge.data.folder.prepare",
    "load_text_generator": "ganforge.sampling.captions",
    "generate_from_caption": "ganforge.sampling.captions",
    "load_pretrained": "ganforge.sampling.generator",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_getattr(__name__, _EXPORTS)
