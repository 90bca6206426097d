"""DF-GAN's networks: shapes at every size, the fusion blocks, clear errors, and a few-step
run with the hinge loss and the matching-aware gradient penalty that resumes exactly."""

import pytest
import torch
from safetensors.torch import load_file

from ganforge.errors import ConfigError
from ganforge.model_configs import DFGANConfig, condition_of
from ganforge.models import build_models
from ganforge.models.dfgan import Affine, UpBlock, widths
from ganforge.training.loop import Interrupted
from ganforge.training.run import resume
from tests.captioned_fixtures import build_flowers, train_tiny
from tests.training.stops import StopAt


def tiny(**changes) -> DFGANConfig:
    return DFGANConfig(**{"text_dim": 24, "text_proj": 8, "latent_dim": 16, "width": 4,
                          "channels": 3, "num_classes": 5, **changes})


@pytest.mark.parametrize("size", [32, 64, 128])
def test_shapes_at_every_size(size):
    g, d = build_models(tiny(image_size=size, attribute_weight=1, attributes=3,
                             attribute_levels=4))
    z, text = torch.randn(5, 16), torch.randn(5, 24)
    images = g(z, text)
    assert images.shape == (5, 3, size, size)
    assert images.min() >= -1 and images.max() <= 1  # tanh
    logit, classes, attributes = d(images, text)
    assert logit.shape == (5,) and classes.shape == (5, 5) and attributes.shape == (5, 3, 4)


def test_widths_follow_df_gan():
    assert widths(tiny(width=32, image_size=64)) == [32, 64, 128, 256, 256]
    assert widths(tiny(width=32, image_size=128)) == [32, 64, 128, 256, 256, 256]


def test_an_affine_transform_starts_as_the_identity_and_then_reads_the_condition():
    affine = Affine(6, 3)
    x, c = torch.randn(2, 3, 4, 4), torch.randn(2, 6)
    assert torch.equal(affine(x, c), x)
    with torch.no_grad():
        affine.scale[-1].weight.normal_()
    a, b = affine(x, c).unbind(0)
    assert not torch.allclose(a / x[0], b / x[1])  # a different scale per condition


def test_every_up_block_reads_the_condition():
    block = UpBlock(6, 4, 2, 0.2)
    for p in block.parameters():  # move the affine layers off their identity start
        torch.nn.init.normal_(p, std=0.3)
    x = torch.randn(1, 4, 4, 4).expand(2, -1, -1, -1)
    out = block(x, torch.randn(2, 6))
    assert out.shape == (2, 2, 8, 8) and not torch.allclose(out[0], out[1])


def test_without_classes_or_attributes_d_has_no_heads():
    _, d = build_models(tiny(num_classes=0))
    logit, classes, attributes = d(torch.randn(2, 3, 64, 64), torch.randn(2, 24))
    assert logit.shape == (2,) and classes is None and attributes is None


def test_conditioned_on_text_and_trained_by_the_text_objective():
    from ganforge.training.run import OBJECTIVES
    from ganforge.training.text_objective import TextConditionalObjective

    assert condition_of(tiny()) == "text"
    assert OBJECTIVES["text"] == TextConditionalObjective.from_config


@pytest.mark.parametrize("changes, message", [
    ({"text_dim": 0}, "arch dfgan needs a data set with captions"),
    ({"image_size": 28}, "arch dfgan builds 32, 64 or 128 px images, not 28x28"),
    ({"width": 0}, "width must be at least 1"),
])
def test_what_it_cannot_build(changes, message):
    with pytest.raises(ConfigError, match=message):
        build_models(tiny(**changes))


def test_the_generator_asks_for_a_caption():
    g, _ = build_models(tiny())
    with pytest.raises(ConfigError, match="ganforge generate"):
        g(torch.randn(2, 16))


@pytest.fixture(scope="module")
def flowers(tmp_path_factory):
    base = tmp_path_factory.mktemp("dfgan")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(base / "cache"))
        yield build_flowers(base / "data" / "flowers102")


DFGAN = {"arch": "dfgan", "loss": "hinge", "ma_gp_weight": "2", "lr_d": "4e-4",
         "beta1": "0.0", "beta2": "0.9"}


def test_a_few_steps_with_the_hinge_loss_and_ma_gp_resume_bit_identically(tmp_path, flowers,
                                                                           monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(flowers.parent.parent / "cache"))
    whole = train_tiny(flowers, tmp_path / "whole", **DFGAN)
    stopped = tmp_path / "stopped"
    with pytest.raises(Interrupted):
        train_tiny(flowers, stopped, observers=[StopAt(1)], **DFGAN)
    resume(stopped, progress=False, warn=lambda m: None)
    a = load_file(whole / "checkpoints" / "final.safetensors")
    b = load_file(stopped / "checkpoints" / "final.safetensors")
    assert any(k.startswith("generator.blocks.0.fuse1") for k in a)  # DF-GAN's networks were saved
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
