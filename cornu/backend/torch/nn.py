"""Neural-network operations on torch: activations, normalization, losses' kernels."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from cornu import config
from cornu.backend.torch.core import as_tensor, convert_to_tensor, to_torch_dtype
from cornu.backend.torch.numpy import _float

_t = as_tensor


def _ft(x):
    return _float(_t(x))


def dense(x, kernel, bias=None):
    """``x @ kernel + bias``; one fused kernel for the common 2-D case."""
    x = _t(x)
    if bias is not None and x.ndim == 2:
        return torch.addmm(bias, x, kernel)
    out = torch.matmul(x, kernel)
    return out + bias if bias is not None else out


def relu(x):
    return torch.relu(_t(x))


def relu6(x):
    return F.relu6(_t(x))


def sigmoid(x):
    return torch.sigmoid(_ft(x))


def sparse_sigmoid(x):
    x = _ft(x)
    return torch.clamp(0.5 * (x + 1.0), 0.0, 1.0)


def tanh(x):
    return torch.tanh(_ft(x))


def softplus(x):
    return F.softplus(_ft(x))


def softsign(x):
    return F.softsign(_ft(x))


def silu(x):
    return F.silu(_ft(x))


swish = silu


def log_sigmoid(x):
    return F.logsigmoid(_ft(x))


def leaky_relu(x, negative_slope=0.2):
    return F.leaky_relu(_ft(x), negative_slope=negative_slope)


def hard_sigmoid(x):
    return F.relu6(_ft(x) + 3.0) / 6.0


def hard_silu(x):
    x = _ft(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def elu(x, alpha=1.0):
    return F.elu(_ft(x), alpha=alpha)


def selu(x):
    return F.selu(_ft(x))


def celu(x, alpha=1.0):
    return F.celu(_ft(x), alpha=alpha)


def gelu(x, approximate=True):
    return F.gelu(_ft(x), approximate="tanh" if approximate else "none")


def glu(x, axis=-1):
    x = _ft(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: axis {axis} must have an even size. Received shape {tuple(x.shape)}")
    return F.glu(x, dim=axis)


def hard_tanh(x):
    return F.hardtanh(_ft(x))


def hard_shrink(x, threshold=0.5):
    return F.hardshrink(_ft(x), lambd=threshold)


def soft_shrink(x, threshold=0.5):
    return F.softshrink(_ft(x), lambd=threshold)


def tanh_shrink(x):
    return F.tanhshrink(_ft(x))


def threshold(x, threshold, default_value):
    return F.threshold(_ft(x), threshold, default_value)


def squareplus(x, b=4):
    x = _ft(x)
    return (x + torch.sqrt(x * x + b)) / 2.0


def sparse_plus(x):
    x = _ft(x)
    return torch.where(x <= -1.0, torch.zeros_like(x),
                       torch.where(x >= 1.0, x, (x + 1.0) ** 2 / 4.0))


def mish(x):
    return F.mish(_ft(x))


def exponential(x):
    return torch.exp(_ft(x))


def softmax(x, axis=-1):
    x = _ft(x)
    if isinstance(axis, (list, tuple)):
        return torch.exp(x - torch.logsumexp(x, dim=tuple(axis), keepdim=True))
    return torch.softmax(x, dim=axis)


def log_softmax(x, axis=-1):
    x = _ft(x)
    if isinstance(axis, (list, tuple)):
        return x - torch.logsumexp(x, dim=tuple(axis), keepdim=True)
    return torch.log_softmax(x, dim=axis)


def sparsemax(x, axis=-1):
    x = _ft(x)
    z, _ = torch.sort(x, dim=axis, descending=True)
    k = torch.arange(1, x.shape[axis] + 1, dtype=x.dtype, device=x.device)
    shape = [1] * x.ndim
    shape[axis] = -1
    k = k.reshape(shape)
    cumsum = torch.cumsum(z, dim=axis)
    support = (1 + k * z) > cumsum
    k_max = torch.sum(support, dim=axis, keepdim=True).to(x.dtype)
    tau = (torch.gather(cumsum, axis, k_max.long() - 1) - 1) / k_max
    return torch.clamp(x - tau, min=0)


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    x = _t(x).long()
    classes = torch.arange(num_classes, device=x.device)
    out = (x.unsqueeze(-1) == classes).to(to_torch_dtype(dtype or config.floatx()))
    if axis != -1:
        out = torch.movedim(out, -1, axis)
    return out


def multi_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    x = _t(x)
    reduce_axis = -2 if axis == -1 else axis
    out = one_hot(x, num_classes, axis=axis, dtype=dtype)
    return torch.amax(out, dim=reduce_axis if x.ndim > 1 else 0)


def moments(x, axes, keepdims=False, synchronized=False):
    x = _ft(x)
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)
    compute = x.to(torch.float32) if x.dtype in (torch.float16, torch.bfloat16) else x
    mean = torch.mean(compute, dim=axes, keepdim=True)
    variance = torch.mean(torch.square(compute - mean), dim=axes, keepdim=True)
    if not keepdims:
        mean = mean.squeeze(axes)
        variance = variance.squeeze(axes)
    return mean.to(x.dtype), variance.to(x.dtype)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _ft(x)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]

    def bcast(v):
        return _t(v).reshape(shape)

    inv = torch.rsqrt(bcast(variance) + epsilon)
    if scale is not None:
        inv = inv * bcast(scale)
    out = (x - bcast(mean)) * inv
    return out + bcast(offset) if offset is not None else out


def binary_crossentropy(target, output, from_logits=False):
    target, output = _ft(target), _ft(output)
    if target.shape != output.shape:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. Received: "
            f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}"
        )
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = config.epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -(target * torch.log(output) + (1.0 - target) * torch.log(1.0 - output))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _ft(target), _ft(output)
    if target.shape != output.shape:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. Received: "
            f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}"
        )
    if from_logits:
        log_prob = torch.log_softmax(output, dim=axis)
    else:
        output = output / torch.sum(output, dim=axis, keepdim=True)
        eps = config.epsilon()
        log_prob = torch.log(torch.clamp(output, eps, 1.0 - eps))
    return -torch.sum(target * log_prob, dim=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _t(target), _ft(output)
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = target.squeeze(-1)
    if target.ndim != output.ndim - 1:
        raise ValueError(
            "Argument `output` must have rank (ndim) `target.ndim + 1`. Received: "
            f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}"
        )
    if from_logits:
        log_prob = torch.log_softmax(output, dim=axis)
    else:
        output = output / torch.sum(output, dim=axis, keepdim=True)
        eps = config.epsilon()
        log_prob = torch.log(torch.clamp(output, eps, 1.0 - eps))
    # gather raises for labels outside [0, classes) instead of silently scoring them 0.
    picked = torch.gather(log_prob, axis, target.long().unsqueeze(axis))
    return -picked.squeeze(axis)


def dropout(x, rate, noise_shape=None, generator=None):
    """Inverted dropout; ``noise_shape`` broadcasts one mask over some axes."""
    x = _t(x)
    if noise_shape is None and generator is None:
        return F.dropout(x, p=float(rate), training=True)
    shape = tuple(x.shape) if noise_shape is None else tuple(
        s if s is not None else x.shape[i] for i, s in enumerate(noise_shape))
    keep = torch.rand(shape, dtype=x.dtype, device=x.device, generator=generator) >= rate
    return x * keep.to(x.dtype) / (1.0 - float(rate))


def normalize(x, axis=-1, order=2, epsilon=None):
    x = _ft(x)
    eps = config.epsilon() if epsilon is None else epsilon
    norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
    return x / torch.clamp(norm, min=eps)


def l2_normalize(x, axis=-1, epsilon=1e-12):
    x = _ft(x)
    square_sum = torch.sum(x * x, dim=axis, keepdim=True)
    return x * torch.rsqrt(torch.clamp(square_sum, min=epsilon))


def log_cosh(x):
    x = _ft(x)
    return x + F.softplus(-2.0 * x) - math.log(2.0)
