"""Layers swapped in on CPU: the same math as the torch layers they replace, computed where
CPU kernels are slow for a GAN's small shapes.

- MaskDropout: nn.Dropout's Bernoulli mask drawn as float uniforms (about twice as fast).
- MatmulConvTranspose2d: a transposed convolution from a 1x1 input (a DCGAN's first layer)
  or to one output channel (its last) as one matrix product.
- MatmulConv2d: a convolution whose kernel covers its whole input (a DCGAN discriminator's
  last layer) as one matrix product; one from a single input channel (its first) keeps
  torch's forward kernel but computes the gradient of its input as a matrix product.

The sums are the same sums of the same products, in another order; every configuration
these classes do not cover goes to the torch layer's own kernel. Parameters and state dict keys
are those of the layer replaced.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class MaskDropout(nn.Module):
    """nn.Dropout with its keep mask drawn as float32 uniforms >= p (torch.rand): the same
    Bernoulli(1 - p) mask and 1/(1 - p) scaling, drawn about twice as fast on CPU as
    nn.Dropout's bernoulli_. Another random stream than nn.Dropout's, repeatable for a seed."""

    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        if self.p >= 1.0:
            return x * 0.0
        keep = torch.rand(x.shape, device=x.device).ge_(self.p).mul_(1.0 / (1.0 - self.p))
        return x * keep.to(x.dtype)

    def extra_repr(self) -> str:
        return f"p={self.p}"


def scatter_to_one_channel(x: torch.Tensor, weight: torch.Tensor, stride: tuple[int, int],
                           padding: tuple[int, int]) -> torch.Tensor:
    """conv_transpose2d(x, weight) to one output channel: each input pixel's kh x kw window
    x^T W (one matrix product), summed into place (PhaseFold, or F.fold where the kernel is
    not a whole number of strides). x (B, C, H, W), weight (C, 1, kh, kw) -> (B, 1, H', W')."""
    b, c, h, w = x.shape
    kh, kw = weight.shape[2:]
    (sh, sw), (ph, pw) = stride, padding
    pixels = x.permute(0, 2, 3, 1).reshape(b, h * w, c)  # a view when channels_last
    cols = pixels @ weight.reshape(c, kh * kw)  # (B, h*w, kh*kw)
    if kh % sh == 0 and kw % sw == 0:
        return PhaseFold.apply(cols.view(b, h, w, kh, kw), stride, padding)
    size = ((h - 1) * sh - 2 * ph + kh, (w - 1) * sw - 2 * pw + kw)
    return F.fold(cols.transpose(1, 2), size, (kh, kw), padding=(ph, pw), stride=(sh, sw))


class PhaseFold(torch.autograd.Function):
    """F.fold of one channel's windows (B, h, w, kh, kw) with stride s dividing the kernel:
    (B, 1, H', W'). Kernel row i = s a + r lands on padded output row s (y + a) + r, so the
    output, seen as (B, h + q - 1, s, w + q' - 1, s') blocks, is the sum of q q' shifted copies
    of the windows: q q' additions of whole blocks instead of one per pixel and tap. Each
    output pixel adds its taps from zero in F.fold's order (i, then j), so the sums are
    bit-identical; the gradient is F.unfold's gather, as one strided view."""

    @staticmethod
    def forward(ctx, cols: torch.Tensor, stride: tuple[int, int], padding: tuple[int, int]
                ) -> torch.Tensor:
        b, h, w, kh, kw = cols.shape
        (sh, sw), (ph, pw) = stride, padding
        qh, qw = kh // sh, kw // sw
        blocks = cols.view(b, h, w, qh, sh, qw, sw)  # (B, y, x, a, r, a', r')
        out = cols.new_zeros(b, h + qh - 1, sh, w + qw - 1, sw)  # (B, Y, r, X, r')
        for a in range(qh):
            for a2 in range(qw):
                out[:, a:a + h, :, a2:a2 + w, :] += blocks[:, :, :, a, :, a2, :].permute(
                    0, 1, 3, 2, 4)
        ctx.shape, ctx.stride, ctx.padding = cols.shape, stride, padding
        full = out.view(b, 1, (h + qh - 1) * sh, (w + qw - 1) * sw)  # padded (B, 1, H', W')
        return full[:, :, ph:full.shape[2] - ph, pw:full.shape[3] - pw].contiguous()

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        b, h, w, kh, kw = ctx.shape
        (sh, sw), (ph, pw) = ctx.stride, ctx.padding
        padded = F.pad(grad[:, 0], (pw, pw, ph, ph)).contiguous()  # (B, Hp, Wp)
        hp, wp = padded.shape[1:]
        windows = padded.as_strided((b, h, w, kh, kw), (hp * wp, sh * wp, sw, wp, 1))
        return windows.contiguous(), None, None  # (B, h, w, kh, kw): F.unfold's gather


def _plain(module: nn.Module, x: torch.Tensor) -> bool:
    """True for what the matrix-product forms do not cover (the torch kernel runs)."""
    return (module.groups != 1 or module.dilation != (1, 1) or x.dim() != 4
            or module.padding_mode != "zeros" or isinstance(module.padding, str))


def _add_bias(out: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """out (B, O, H, W) plus the layer's bias per channel, when it has one."""
    return out if bias is None else out + bias.view(1, -1, 1, 1)


class MatmulConvTranspose2d(nn.ConvTranspose2d):
    """nn.ConvTranspose2d as one matrix product (summed into place) for a 1x1 input or one
    output channel; other shapes use nn.ConvTranspose2d's own kernel."""

    def forward(self, x: torch.Tensor, output_size: list[int] | None = None) -> torch.Tensor:
        if output_size is not None or self.output_padding != (0, 0) or _plain(self, x):
            return super().forward(x, output_size)
        if x.shape[-2:] == (1, 1) and self.padding == (0, 0):
            return self._from_vector(x)
        if self.out_channels == 1:
            return self._scatter(x)
        return super().forward(x, output_size)

    def _from_vector(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, 1, 1) -> (B, O, kh, kw): x @ W, laid out channels-last."""
        c, o, kh, kw = self.weight.shape
        w = self.weight.permute(0, 2, 3, 1).reshape(c, kh * kw * o)
        out = x.reshape(x.shape[0], c) @ w  # (B, kh*kw*O)
        out = out.view(x.shape[0], kh, kw, o).permute(0, 3, 1, 2)  # channels_last strides
        return _add_bias(out, self.bias)

    def _scatter(self, x: torch.Tensor) -> torch.Tensor:
        return _add_bias(scatter_to_one_channel(x, self.weight, self.stride, self.padding),
                         self.bias)


class _OneChannelConv(torch.autograd.Function):
    """conv2d of a 1-channel input: torch's forward and weight gradient; the input's
    gradient (a transposed convolution to one channel) as a matrix product."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor, stride, padding) -> torch.Tensor:
        ctx.save_for_backward(x, weight)
        ctx.stride, ctx.padding = stride, padding
        return F.conv2d(x, weight, None, stride, padding)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        x, weight = ctx.saved_tensors
        grad_x = grad_w = None
        # under autocast, grad comes in the reduced precision the forward pass ran in
        if ctx.needs_input_grad[0]:  # the transposed convolution of grad to one channel
            grad_x = scatter_to_one_channel(grad, weight.to(grad.dtype), ctx.stride,
                                            ctx.padding).to(x.dtype)
        if ctx.needs_input_grad[1]:
            grad_w = torch.nn.grad.conv2d_weight(x.to(grad.dtype), weight.shape, grad,
                                                 ctx.stride, ctx.padding).to(weight.dtype)
        return grad_x, grad_w, None, None


class MatmulConv2d(nn.Conv2d):
    """nn.Conv2d as one matrix product when the kernel covers the whole unpadded input
    (a 1x1 output), and with the input's gradient as one when the input has one channel;
    other shapes use nn.Conv2d's own kernel."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if _plain(self, x):
            return super().forward(x)
        if x.shape[-2:] == self.kernel_size and self.padding == (0, 0):
            return self._to_vector(x)
        if self.in_channels == 1 and x.requires_grad and self._tiles(x):
            return _add_bias(_OneChannelConv.apply(x, self.weight, self.stride, self.padding),
                             self.bias)
        return super().forward(x)

    def _tiles(self, x: torch.Tensor) -> bool:
        """True when the last window ends at the padded input's edge (no row or column left
        over), so that the transposed convolution gives back the input's size."""
        return all((n + 2 * p - k) % s == 0 for n, k, s, p in
                   zip(x.shape[-2:], self.kernel_size, self.stride, self.padding, strict=True))

    def _to_vector(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, kh, kw) -> (B, O, 1, 1): the flattened image times the flattened kernel."""
        b, o = x.shape[0], self.out_channels
        flat = x.permute(0, 2, 3, 1).reshape(b, -1)  # a view when channels_last
        out = flat @ self.weight.permute(0, 2, 3, 1).reshape(o, -1).t()  # (B, O)
        return _add_bias(out.view(b, o, 1, 1), self.bias)


def fast_layers(module: nn.Module, device: torch.device) -> None:
    """On CPU, swap `module`'s nn.Dropout, nn.ConvTranspose2d and nn.Conv2d layers for the
    classes above (same math, faster there); elsewhere (fused GPU kernels) keep them.
    Parameters and state dict keys are unchanged."""
    if device.type != "cpu":
        return
    swaps = {nn.ConvTranspose2d: MatmulConvTranspose2d, nn.Conv2d: MatmulConv2d}
    for name, child in module.named_children():
        if type(child) is nn.Dropout:
            setattr(module, name, MaskDropout(child.p))
        elif type(child) in swaps:
            child.__class__ = swaps[type(child)]  # the same module, another forward
        else:
            fast_layers(child, device)
