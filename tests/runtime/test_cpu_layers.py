"""The CPU layers: the same outputs and gradients as the torch layers they replace."""

import pytest
import torch
from torch import nn

from ganforge.config import resolve_config
from ganforge.runtime.cpu_layers import (
    MaskDropout,
    MatmulConv2d,
    MatmulConvTranspose2d,
    PhaseFold,
    fast_layers,
)
from ganforge.training.batch import Batch
from ganforge.training.run import build_trainer

TINY = {"g_hidden": "16", "d_hidden": "16"}


def _trainer(**overrides):
    return build_trainer(resolve_config("mlp-mnist", overrides={**TINY, **overrides}))


def test_mask_dropout_keeps_one_minus_p_scaled_and_is_repeatable():
    layer = MaskDropout(0.3)
    x = torch.ones(200_000)
    torch.manual_seed(5)
    a = layer(x)
    torch.manual_seed(5)
    assert torch.equal(a, layer(x))  # the same seed, the same mask
    kept = a != 0
    assert abs(kept.float().mean().item() - 0.7) < 5 * (0.21 / 200_000) ** 0.5
    assert torch.allclose(a[kept], torch.full_like(a[kept], 1 / 0.7))
    layer.eval()
    assert layer(x) is x


def test_mask_dropout_backward_uses_the_forward_mask():
    layer = MaskDropout(0.5)
    x = torch.randn(1000, requires_grad=True)
    y = layer(x)
    y.sum().backward()
    assert torch.equal(x.grad, (y != 0).float() * 2.0)


def test_dropout_swapped_on_cpu_only_and_training_is_repeatable():
    net = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.3), nn.Sequential(nn.Dropout(0.2)))
    fast_layers(net, torch.device("cuda"))  # fused kernels there: left alone
    assert type(net[1]) is nn.Dropout
    fast_layers(net, torch.device("cpu"))
    assert isinstance(net[1], MaskDropout) and net[1].p == 0.3
    assert isinstance(net[2][0], MaskDropout) and net[2][0].p == 0.2
    assert any(isinstance(m, MaskDropout) for m in _trainer().discriminator.modules())

    real = Batch(torch.rand(8, 1, 28, 28) * 2 - 1)
    runs = []
    for _ in range(2):
        trainer = _trainer(d_dropout="0.3")
        for i in range(3):
            trainer.train_batch(i, Batch(real.images.clone()))
        runs.append([p.detach().clone() for p in trainer.discriminator.parameters()])
    assert all(torch.equal(a, b) for a, b in zip(*runs, strict=True))


def _same_as_plain(plain: nn.Module, shape: tuple[int, ...], cls: type, input_grad: bool):
    """The swapped copy of `plain` gives its outputs and gradients, in both memory formats."""
    torch.manual_seed(0)
    fast = nn.Sequential(type(plain)(plain.in_channels, plain.out_channels, plain.kernel_size,
                                     plain.stride, plain.padding, bias=plain.bias is not None))
    fast[0].load_state_dict(plain.state_dict())
    fast_layers(fast, torch.device("cpu"))
    assert isinstance(fast[0], cls)
    assert fast.state_dict().keys() == {"0." + k for k in plain.state_dict()}
    for memory_format in (torch.contiguous_format, torch.channels_last):
        x = torch.randn(shape).contiguous(memory_format=memory_format)
        x.requires_grad_(input_grad)
        y_plain, y_fast = plain(x), fast(x)
        assert y_fast.shape == y_plain.shape
        torch.testing.assert_close(y_fast, y_plain, rtol=1e-5, atol=1e-5)
        grad = torch.randn_like(y_plain)
        inputs = [x] if input_grad else []
        want = torch.autograd.grad(y_plain, inputs + list(plain.parameters()), grad)
        got = torch.autograd.grad(y_fast, inputs + list(fast.parameters()), grad)
        for a, b in zip(got, want, strict=True):
            assert a.shape == b.shape
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("args, shape", [
    ((100, 128, 4, 2, 0), (3, 100, 1, 1)),  # the DCGAN's first layer: a 1x1 input
    ((32, 1, 4, 2, 1), (3, 32, 14, 14)),  # its last: one output channel
    ((32, 1, 3, 2, 1), (3, 32, 7, 7)),
    ((16, 8, 4, 2, 1), (3, 16, 7, 7)),  # neither: nn.ConvTranspose2d's own kernel
])
def test_matmul_conv_transpose_gives_the_same_outputs_and_gradients(args, shape):
    torch.manual_seed(0)
    _same_as_plain(nn.ConvTranspose2d(*args, bias=True), shape, MatmulConvTranspose2d, True)


@pytest.mark.parametrize("args, shape", [
    ((128, 1, 4, 1, 0), (3, 128, 4, 4)),  # the DCGAN D's last layer: a 1x1 output
    ((8, 5, 3, 1, 0), (2, 8, 3, 3)),
    ((1, 32, 4, 2, 1), (3, 1, 28, 28)),  # its first: one input channel
    ((1, 4, 3, 1, 1), (2, 1, 9, 9)),
    ((1, 4, 4, 2, 1), (2, 1, 9, 9)),  # windows do not tile the input: torch's backward
    ((16, 8, 4, 2, 1), (3, 16, 14, 14)),  # neither: nn.Conv2d's own kernel
])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("input_grad", [False, True])
def test_matmul_conv_gives_the_same_outputs_and_gradients(args, shape, bias, input_grad):
    torch.manual_seed(0)
    _same_as_plain(nn.Conv2d(*args, bias=bias), shape, MatmulConv2d, input_grad)


@pytest.mark.parametrize("shape, stride, padding", [
    ((3, 14, 14, 4, 4), (2, 2), (1, 1)),  # a 28x28 DCGAN's last layer
    ((2, 5, 7, 4, 6), (2, 3), (1, 2)),
    ((2, 4, 4, 6, 6), (3, 3), (0, 0)),
    ((1, 3, 2, 2, 2), (1, 1), (0, 1)),
])
def test_phase_fold_is_f_fold_bit_for_bit(shape, stride, padding):
    """The same sums in the same order: outputs and gradients equal, not merely close."""
    b, h, w, kh, kw = shape
    torch.manual_seed(0)
    cols = torch.randn(shape, requires_grad=True)
    size = tuple((n - 1) * s - 2 * p + k for n, k, s, p in
                 zip((h, w), (kh, kw), stride, padding, strict=True))
    want = torch.nn.functional.fold(cols.reshape(b, h * w, kh * kw).transpose(1, 2), size,
                                    (kh, kw), padding=padding, stride=stride)
    got = PhaseFold.apply(cols, stride, padding)
    assert got.shape == want.shape and torch.equal(got, want)
    grad = torch.randn_like(want)
    assert torch.equal(*(torch.autograd.grad(y, cols, grad)[0] for y in (got, want)))


def test_conv_layers_swapped_on_cpu_only():
    net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ConvTranspose2d(4, 1, 3))
    fast_layers(net, torch.device("cuda"))
    assert type(net[0]) is nn.Conv2d and type(net[1]) is nn.ConvTranspose2d
    fast_layers(net, torch.device("cpu"))
    assert type(net[0]) is MatmulConv2d and type(net[1]) is MatmulConvTranspose2d


@pytest.mark.parametrize("layer, shape", [
    (nn.Conv2d(1, 3, 4, 2, 1), (2, 1, 6, 6)),  # the one-channel input's own backward
    (nn.Conv2d(3, 2, 4, 1, 0), (2, 3, 4, 4)),  # a 1x1 output
    (nn.ConvTranspose2d(3, 1, 4, 2, 1), (2, 3, 3, 3)),  # one output channel
])
def test_second_derivatives_are_exact_for_gradient_penalties(layer, shape):
    fast = nn.Sequential(layer.double())
    fast_layers(fast, torch.device("cpu"))
    assert type(fast[0]) in (MatmulConv2d, MatmulConvTranspose2d)
    x = torch.randn(shape, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(fast, (x,))
    assert torch.autograd.gradgradcheck(fast, (x,))


def test_one_channel_conv_under_bf16_autocast_matches_the_torch_layer():
    torch.manual_seed(0)
    plain = nn.Conv2d(1, 8, 4, 2, 1, bias=False)
    fast = nn.Sequential(nn.Conv2d(1, 8, 4, 2, 1, bias=False))
    fast[0].load_state_dict(plain.state_dict())
    fast_layers(fast, torch.device("cpu"))
    x = torch.randn(4, 1, 12, 12, requires_grad=True)
    grads = []
    for net in (plain, fast):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            y = net(x)
        assert y.dtype == torch.bfloat16
        grads.append(torch.autograd.grad(y.float().square().sum(), [x, *net.parameters()]))
    for want, got in zip(*grads, strict=True):
        assert got.dtype == want.dtype == torch.float32
        torch.testing.assert_close(got, want, rtol=2e-2, atol=2e-2)
