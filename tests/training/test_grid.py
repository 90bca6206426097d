import torch

from ganforge.config import resolve_config
from ganforge.models import build_models
from ganforge.training.grid import grid_conditions


def test_an_unconditional_grid_has_no_conditions():
    config = resolve_config("dcgan-mnist")
    assert grid_conditions(config, torch.randn(4, 100), 0) == (None, None)


def test_a_class_grid_draws_the_images_g_draws_from_its_noise_alone():
    config = resolve_config(overrides={"arch": "cdcgan28", "latent_dim": "12",
                                       "num_classes": "3", "width": "4"})
    noise = torch.randn(9, 12, generator=torch.Generator().manual_seed(0))
    cond, captions = grid_conditions(config, noise, 0)
    assert captions is None and cond.shape == (9,) and set(cond.tolist()) <= {0, 1, 2}
    g, _ = build_models(config.model)
    g.eval()
    with torch.no_grad():
        assert torch.equal(g(noise, cond), g(noise))
