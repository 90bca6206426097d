"""The model behind the server: repeatable, read-only, safe to call from many threads."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import torch

from ganforge.sampling.generator import generate, load_generator
from ganforge.serve.service import RequestError


def test_same_seed_same_images_as_ganforge_sample(service, served_run):
    a = service.generate(9, seed=5)
    assert a.shape == (9, 1, 28, 28)
    assert torch.equal(a, service.generate(9, seed=5))
    assert not torch.equal(a, service.generate(9, seed=6))
    assert torch.equal(a, generate(load_generator(served_run), 9, seed=5))


def test_outputs_carry_no_autograd_state(service):
    images = service.generate(2, seed=0)
    assert not images.requires_grad and images.grad_fn is None
    assert images.is_inference()


def test_a_caption_is_refused_by_an_unconditional_model(service):
    assert service.describe().conditional is False
    with pytest.raises(RequestError, match="caption: this model is not text-conditioned"):
        service.generate(1, seed=0, caption="a red flower")


def test_walk_ends_at_the_two_seeds(service):
    start = service.interpolate(4, seed_a=1, seed_b=2, t=0.0)
    end = service.interpolate(4, seed_a=1, seed_b=2, t=1.0)
    middle = service.interpolate(4, seed_a=1, seed_b=2, t=0.5)
    assert torch.equal(start, service.generate(4, seed=1))
    assert torch.equal(end, service.generate(4, seed=2))
    assert not torch.equal(middle, start) and not torch.equal(middle, end)
    linear = service.interpolate(4, seed_a=1, seed_b=2, t=0.5, method="lerp")
    assert not torch.equal(middle, linear)


def test_concurrent_requests_give_the_sequential_answers(service):
    seeds = list(range(32))
    expected = [service.generate(8, seed) for seed in seeds]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda s: service.generate(8, s), seeds))
    assert all(torch.equal(x, y) for x, y in zip(expected, got, strict=True))


def test_description_matches_the_run(service):
    info = service.describe()
    assert (info.kind, info.arch, info.dataset) == ("unconditional", "mlp", "mnist")
    assert (info.channels, info.height, info.width, info.latent_dim) == (1, 28, 28, 100)
    assert info.step == 4 and info.checkpoint.endswith(".json")
    assert "/" not in info.checkpoint
