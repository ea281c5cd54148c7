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
    """``x @ kernel + bias`` as one fused matmul-plus-bias kernel (addmm) at any rank."""
    x = _t(x)
    if bias is not None and x.ndim == 2:
        return torch.addmm(bias, x, kernel)
    if bias is not None and x.ndim > 2:
        # linear folds the leading axes into one addmm, as nn.Linear does.
        return F.linear(x, kernel.t(), bias)
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
    mean, variance = _t(mean), _t(variance)
    if x.ndim >= 2 and not (mean.requires_grad or variance.requires_grad) and all(
            v is None or _is_channel_vector(_t(v), x, axis)
            for v in (mean, variance, scale, offset)):
        # Fixed statistics (moving averages): torch's fused inference kernel.
        flat, restore = _channels_at_1(x, axis)
        return restore(F.batch_norm(flat, mean, variance, None if scale is None else _t(scale),
                                    None if offset is None else _t(offset), False, 0.0,
                                    epsilon))
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


# --- convolution and pooling --------------------------------------------------------------------
# Inputs may be channels_last (Keras's default): they are viewed as channels_first with
# ``movedim`` (no copy; a 4-D/5-D view is in torch's channels_last memory format, which the
# native CPU and cuDNN kernels take as is) and the result is viewed back the same way.
# Kernels stay in Keras's layout; the permuted view costs one small copy inside torch.

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
_MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
_ADAPTIVE_AVG_POOL = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d,
                      3: F.adaptive_avg_pool3d}
_ADAPTIVE_MAX_POOL = {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d,
                      3: F.adaptive_max_pool3d}


def _spatial_rank(x, op):
    rank = x.ndim - 2
    if rank not in (1, 2, 3):
        raise ValueError(f"{op}: inputs must have rank 3, 4 or 5 (batch, spatial axes, "
                         f"channels). Received input shape {tuple(x.shape)}.")
    return rank


def _tuple(value, rank, name):
    if isinstance(value, int):
        return (value,) * rank
    value = tuple(int(v) for v in value)
    if len(value) != rank:
        raise ValueError(f"`{name}` must be an int or a tuple of {rank} ints. "
                         f"Received: {name}={value}")
    return value


def _channels_first(x, data_format):
    return x.movedim(-1, 1) if data_format == "channels_last" else x


def _restore_format(x, data_format):
    return x.movedim(1, -1) if data_format == "channels_last" else x


def _same_padding(sizes, kernel, strides, dilation):
    """Keras's "same" padding per spatial axis as (before, after); the extra one goes after."""
    pads = []
    for n, k, s, d in zip(sizes, kernel, strides, dilation):
        effective = (k - 1) * d + 1
        total = max((-(-n // s) - 1) * s + effective - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _torch_pad_list(pads):
    return [v for pair in reversed(pads) for v in pair]


def _conv_channels_first(x, weight, bias, strides, padding, dilation, groups):
    rank = x.ndim - 2
    padding = padding.lower()
    if padding == "same":
        pads = _same_padding(x.shape[2:], weight.shape[2:], strides, dilation)
        if all(lo == hi for lo, hi in pads):
            padding = tuple(lo for lo, _ in pads)
        else:
            x = F.pad(x, _torch_pad_list(pads))
            padding = 0
    elif padding == "valid":
        padding = 0
    else:
        raise ValueError(f"`padding` must be 'valid' or 'same'. Received: padding={padding!r}")
    return _CONV[rank](x, weight, bias, strides, padding, dilation, groups)


def _keras_kernel_to_torch(kernel):
    # (*spatial, in, out) -> (out, in, *spatial)
    rank = kernel.ndim - 2
    return kernel.permute(rank + 1, rank, *range(rank))


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1,
         bias=None):
    """N-D convolution; ``kernel`` in Keras's layout ``(*spatial, in / groups, out)``.

    The number of groups is ``in_channels // kernel.shape[-2]``. ``bias`` (cornu's
    addition to Keras's signature) is added inside the convolution kernel.
    """
    x, kernel = _ft(inputs), _t(kernel)
    rank = _spatial_rank(x, "conv")
    data_format = config.standardize_data_format(data_format)
    if kernel.ndim != x.ndim:
        raise ValueError(f"conv: the kernel must have rank {x.ndim} for inputs of shape "
                         f"{tuple(x.shape)}. Received kernel shape {tuple(kernel.shape)}.")
    x = _channels_first(x, data_format)
    channels, kernel_in = x.shape[1], kernel.shape[-2]
    if channels % kernel_in:
        raise ValueError(f"conv: the input has {channels} channels, which is not a multiple of "
                         f"the kernel's input channels ({kernel_in}); kernel shape "
                         f"{tuple(kernel.shape)}, data_format={data_format!r}.")
    out = _conv_channels_first(
        x, _keras_kernel_to_torch(kernel), None if bias is None else _t(bias),
        _tuple(strides, rank, "strides"), padding, _tuple(dilation_rate, rank, "dilation_rate"),
        channels // kernel_in)
    return _restore_format(out, data_format)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1, bias=None):
    """Depthwise convolution; ``kernel`` is ``(*spatial, in, depth_multiplier)``.

    Output channel ``c * depth_multiplier + m`` is input channel ``c`` filtered by
    ``kernel[..., c, m]``, as in Keras.
    """
    inputs, kernel = _t(inputs), _t(kernel)
    channels_last = config.standardize_data_format(data_format) == "channels_last"
    channels = inputs.shape[-1 if channels_last else 1]
    if kernel.shape[-2] != channels:
        raise ValueError(f"depthwise_conv: the kernel expects {kernel.shape[-2]} input channels, "
                         f"the inputs have {channels} (input shape {tuple(inputs.shape)}).")
    kernel = kernel.reshape(*kernel.shape[:-2], 1, kernel.shape[-2] * kernel.shape[-1])
    return conv(inputs, kernel, strides, padding, data_format, dilation_rate, bias)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1, bias=None):
    """Depthwise convolution followed by a pointwise (1x...x1) convolution."""
    x = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(x, pointwise_kernel, 1, "valid", data_format, 1, bias)


def _conv_transpose_crops(kernel, strides, padding, output_padding, dilation):
    """How much to cut from (negative: add to) each side of torch's full transposed output.

    Torch's output with no padding spans ``(n - 1) * s + k`` positions; Keras's output is
    the window a convolution over the stride-dilated input would give with padding
    (left, right) on each side, as in Keras's JAX and TensorFlow backends.
    """
    crops = []
    for i, (k, s, d) in enumerate(zip(kernel, strides, dilation)):
        effective = (k - 1) * d + 1
        extra = None if output_padding is None else output_padding[i]
        if padding == "valid":
            extra = max(effective, s) - effective if extra is None else extra
            left, right = effective - 1, effective - 1 + extra
        elif padding == "same":
            total = s + effective - 2 if extra is None else effective + effective % 2 - 2 + extra
            left = min(total // 2 + total % 2, effective - 1)
            right = total - left
        else:
            raise ValueError(f"`padding` must be 'valid' or 'same'. Received: padding={padding!r}")
        crops.append((effective - 1 - left, effective - 1 - right))
    return crops


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1, bias=None):
    """Transposed convolution; ``kernel`` in Keras's layout ``(*spatial, out, in)``."""
    x, kernel = _ft(inputs), _t(kernel)
    rank = _spatial_rank(x, "conv_transpose")
    data_format = config.standardize_data_format(data_format)
    x = _channels_first(x, data_format)
    if kernel.ndim != x.ndim or kernel.shape[-1] != x.shape[1]:
        raise ValueError(f"conv_transpose: the kernel {tuple(kernel.shape)} expects "
                         f"{kernel.shape[-1]} input channels; the inputs have shape "
                         f"{tuple(_t(inputs).shape)} (data_format={data_format!r}).")
    strides = _tuple(strides, rank, "strides")
    dilation = _tuple(dilation_rate, rank, "dilation_rate")
    if output_padding is not None:
        output_padding = _tuple(output_padding, rank, "output_padding")
    crops = _conv_transpose_crops(kernel.shape[:-2], strides, padding, output_padding, dilation)
    weight = kernel.permute(rank + 1, rank, *range(rank))  # (in, out, *spatial)
    bias = None if bias is None else _t(bias)
    grows = any(lo < 0 or hi < 0 for lo, hi in crops)
    symmetric = all(lo == hi for lo, hi in crops)
    torch_padding = tuple(lo for lo, _ in crops) if symmetric and not grows else 0
    out = _CONV_TRANSPOSE[rank](x, weight, None if grows else bias, strides, torch_padding, 0,
                                1, dilation)
    if not symmetric or grows:
        index = [slice(None), slice(None)] + [
            slice(max(lo, 0), out.shape[2 + i] - max(hi, 0)) for i, (lo, hi) in enumerate(crops)]
        out = out[tuple(index)]
        if grows:
            out = F.pad(out, _torch_pad_list([(max(-lo, 0), max(-hi, 0)) for lo, hi in crops]))
            if bias is not None:
                out = out + bias.reshape((1, -1) + (1,) * rank)
    return _restore_format(out, data_format)


def _pool_args(x, pool_size, strides, op):
    rank = _spatial_rank(x, op)
    pool_size = _tuple(pool_size, rank, "pool_size")
    strides = pool_size if strides is None else _tuple(strides, rank, "strides")
    return rank, pool_size, strides


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling; "same" padding never lets the padding win a window."""
    x = _t(inputs)
    rank, pool_size, strides = _pool_args(x, pool_size, strides, "max_pool")
    data_format = config.standardize_data_format(data_format)
    x = _channels_first(x, data_format)
    torch_padding = 0
    if padding == "same":
        pads = _same_padding(x.shape[2:], pool_size, strides, (1,) * rank)
        if all(lo == hi and 2 * lo <= k for (lo, hi), k in zip(pads, pool_size)):
            torch_padding = tuple(lo for lo, _ in pads)
        else:
            x = F.pad(x, _torch_pad_list(pads), value=float("-inf"))
    elif padding != "valid":
        raise ValueError(f"`padding` must be 'valid' or 'same'. Received: padding={padding!r}")
    out = _MAX_POOL[rank](x, pool_size, strides, torch_padding)
    return _restore_format(out, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling; with "same" padding each window averages only real inputs."""
    x = _ft(inputs)
    rank, pool_size, strides = _pool_args(x, pool_size, strides, "average_pool")
    data_format = config.standardize_data_format(data_format)
    x = _channels_first(x, data_format)
    if padding == "valid":
        out = _AVG_POOL[rank](x, pool_size, strides, 0)
    elif padding == "same":
        pads = _same_padding(x.shape[2:], pool_size, strides, (1,) * rank)
        if all(lo == hi and 2 * lo <= k for (lo, hi), k in zip(pads, pool_size)):
            out = _AVG_POOL[rank](x, pool_size, strides, tuple(lo for lo, _ in pads),
                                  count_include_pad=False)
        else:
            # Uneven padding: average zero-padded windows, then rescale by the share of
            # each window that holds real inputs.
            flat = _torch_pad_list(pads)
            ones = torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype, device=x.device)
            share = _AVG_POOL[rank](F.pad(ones, flat), pool_size, strides, 0)
            out = _AVG_POOL[rank](F.pad(x, flat), pool_size, strides, 0) / share
    else:
        raise ValueError(f"`padding` must be 'valid' or 'same'. Received: padding={padding!r}")
    return _restore_format(out, data_format)


def _adaptive_pool(table, op, inputs, output_size, data_format):
    x = _ft(inputs) if table is _ADAPTIVE_AVG_POOL else _t(inputs)
    rank = _spatial_rank(x, op)
    data_format = config.standardize_data_format(data_format)
    out = table[rank](_channels_first(x, data_format), _tuple(output_size, rank, "output_size"))
    return _restore_format(out, data_format)


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed ``output_size``, with PyTorch's bins."""
    return _adaptive_pool(_ADAPTIVE_AVG_POOL, "adaptive_average_pool", inputs, output_size,
                          data_format)


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed ``output_size``, with PyTorch's bins."""
    return _adaptive_pool(_ADAPTIVE_MAX_POOL, "adaptive_max_pool", inputs, output_size,
                          data_format)


# --- normalization -----------------------------------------------------------------------------
def _trailing(axes, ndim):
    """``axes`` sorted and non-negative, and whether they are the last ``len(axes)`` axes."""
    axes = sorted(a % ndim for a in ((axes,) if isinstance(axes, int) else axes))
    return axes, axes == list(range(ndim - len(axes), ndim))


def _upcast(x):
    # Statistics of float16/bfloat16 inputs are computed in float32, as Keras does.
    return x.float() if x.dtype in (torch.float16, torch.bfloat16) else x


def _broadcast_param(param, axes, x):
    """``param`` (shaped like ``x``'s ``axes``) reshaped to broadcast against ``x``."""
    shape = [x.shape[a] if a in axes else 1 for a in range(x.ndim)]
    return _t(param).to(x.dtype).reshape(shape)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, rms_scaling=False):
    """Normalizes each sample over ``axis`` (an int or a list of axes), then scales and shifts.

    Uses torch's fused ``layer_norm`` when the axes are the trailing ones.
    """
    x = _ft(x)
    dtype = x.dtype
    eps = config.epsilon() if epsilon is None else float(epsilon)
    x = _upcast(x)
    axes, trailing = _trailing(axis, x.ndim)
    if rms_scaling:
        variance = torch.var(x, dim=axes, keepdim=True, correction=0)
        out = x * torch.rsqrt(variance + eps)
        if gamma is not None:
            out = out * _broadcast_param(gamma, axes, x)
    elif trailing:
        shape = tuple(x.shape[a] for a in axes)
        g = None if gamma is None else _t(gamma).to(x.dtype).reshape(shape)
        b = None if beta is None else _t(beta).to(x.dtype).reshape(shape)
        out = F.layer_norm(x, shape, g, b, eps)
    else:
        variance, mean = torch.var_mean(x, dim=axes, keepdim=True, correction=0)
        inv = torch.rsqrt(variance + eps)
        if gamma is not None:
            inv = inv * _broadcast_param(gamma, axes, x)
        out = x * inv - mean * inv
        if beta is not None:
            out = out + _broadcast_param(beta, axes, x)
    return out.to(dtype)


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """``x * rsqrt(mean(x ** 2, axis) + epsilon) * scale``; fused by torch on trailing axes."""
    x = _ft(x)
    dtype = x.dtype
    eps = config.epsilon() if epsilon is None else float(epsilon)
    x = _upcast(x)
    axes, trailing = _trailing(axis, x.ndim)
    if trailing:
        shape = tuple(x.shape[a] for a in axes)
        weight = None if scale is None else _t(scale).to(x.dtype).reshape(shape)
        out = F.rms_norm(x, shape, weight, eps)
    else:
        out = x * torch.rsqrt(torch.mean(x * x, dim=axes, keepdim=True) + eps)
        if scale is not None:
            out = out * _broadcast_param(scale, axes, x)
    return out.to(dtype)


def _is_channel_vector(v, x, axis):
    return v.ndim == 1 and v.shape[0] == x.shape[axis] and v.dtype == x.dtype


def _channels_at_1(x, axis):
    """``x`` arranged (batch, channels, rest) for torch's batch_norm, and how to undo it."""
    axis %= x.ndim
    if axis == x.ndim - 1:
        shape = x.shape
        return x.reshape(-1, shape[-1]), lambda y: y.reshape(shape)
    if axis == 1:
        return x, lambda y: y
    return x.movedim(axis, 1), lambda y: y.movedim(1, axis)


def batch_normalization_with_moments(x, axis, scale=None, offset=None, epsilon=1e-3):
    """Batch normalization with the batch's own statistics, in torch's fused kernel.

    Returns ``(outputs, mean, variance)``: gradients flow through the statistics into
    ``outputs``; ``mean`` and ``variance`` (biased, as Keras's) are returned without
    gradient, for updating moving averages. cornu's op (Keras's layer composes
    ``moments`` and ``batch_normalization``, with the same numbers).
    """
    x = _ft(x)
    dtype = x.dtype
    x = _upcast(x)
    flat, restore = _channels_at_1(x, axis)
    channels = flat.shape[1]
    count = flat.numel() // max(channels, 1)
    if count < 2:
        # torch's kernel refuses a single value per channel; the variance is then zero.
        mean, variance = moments(x, [a for a in range(x.ndim) if a != axis % x.ndim])
        out = batch_normalization(x, mean, variance, axis, offset, scale, epsilon)
        return out.to(dtype), mean.detach(), variance.detach()
    running_mean = torch.zeros(channels, dtype=x.dtype, device=x.device)
    running_var = torch.zeros(channels, dtype=x.dtype, device=x.device)
    weight = None if scale is None else _t(scale).to(x.dtype)
    bias = None if offset is None else _t(offset).to(x.dtype)
    # momentum=1 makes torch store this batch's mean and unbiased variance.
    out = F.batch_norm(flat, running_mean, running_var, weight, bias, True, 1.0, epsilon)
    variance = running_var * ((count - 1) / count)
    return restore(out).to(dtype), running_mean, variance


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Per-sample CTC loss of logits ``output`` (batch, time, classes) against integer
    ``target`` (batch, max_label_length), with ``mask_index`` as the blank class."""
    target = _t(target).long()
    output = _ft(output)
    if output.dtype in (torch.float16, torch.bfloat16):
        output = output.float()
    log_probs = torch.log_softmax(output.transpose(0, 1), dim=-1)
    return F.ctc_loss(log_probs, target, _t(output_length).long(), _t(target_length).long(),
                      blank=mask_index, reduction="none")

def _large_negative(dtype: torch.dtype) -> float:
    """The additive mask value Keras uses: large, finite, so fully masked rows stay finite."""
    return -0.7 * (65500.0 if dtype == torch.float16 else 3.38953e38)


def _broadcasts(shape: tuple, target: tuple) -> bool:
    if len(shape) > len(target):
        return False
    return all(d in (1, t) for d, t in zip(reversed(shape), reversed(target)))


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """``softmax(query @ key^T * scale + bias) @ value`` in Keras's layout.

    ``query`` is ``(batch, query_len, heads, head_dim)``; ``key`` and ``value`` are
    ``(batch, key_len, kv_heads, dim)`` with ``heads`` a multiple of ``kv_heads`` (grouped
    query attention). Runs torch's fused ``scaled_dot_product_attention`` (flash or
    memory-efficient kernels where the device has them). A boolean ``mask`` becomes the
    large finite negative bias Keras uses, so a fully masked row averages the values
    uniformly, as in Keras, instead of producing NaN.
    """
    if attn_logits_soft_cap is not None:
        raise ValueError("dot_product_attention: `attn_logits_soft_cap` is only supported by "
                         "Keras's JAX backend on TPU. Received: "
                         f"attn_logits_soft_cap={attn_logits_soft_cap}. Pass None.")
    query, key, value = _t(query), _t(key), _t(value)
    if query.ndim != 4 or key.ndim != 4 or value.ndim != 4:
        raise ValueError(
            "dot_product_attention only supports 4D inputs (batch, seq, heads, dim). Received: "
            f"query.shape={tuple(query.shape)}, key.shape={tuple(key.shape)}, "
            f"value.shape={tuple(value.shape)}.")
    if bias is not None and mask is not None:
        raise ValueError("dot_product_attention: only one of `bias` and `mask` can be provided. "
                         "Received both. Fold the mask into the bias instead.")
    heads, kv_heads = query.shape[2], key.shape[2]
    if key.shape[:3] != value.shape[:3] or heads % kv_heads or query.shape[0] != key.shape[0] \
            or query.shape[-1] != key.shape[-1]:
        raise ValueError(
            "dot_product_attention expects query (B, T, N, H), key (B, S, K, H) and value "
            "(B, S, K, Hv) with N a multiple of K. Received: "
            f"query.shape={tuple(query.shape)}, key.shape={tuple(key.shape)}, "
            f"value.shape={tuple(value.shape)}.")
    scores_shape = (query.shape[0], heads, query.shape[1], key.shape[1])
    for name, extra in (("mask", mask), ("bias", bias)):
        if extra is not None and not _broadcasts(tuple(_t(extra).shape), scores_shape):
            raise ValueError(
                f"dot_product_attention: `{name}` must broadcast to the scores' shape "
                f"(batch, heads, query_len, key_len)={scores_shape}. Received: "
                f"{name}.shape={tuple(_t(extra).shape)}.")
    dtype = torch.promote_types(torch.promote_types(query.dtype, key.dtype), value.dtype)
    query, key, value = query.to(dtype), key.to(dtype), value.to(dtype)
    attn_mask = None
    if mask is not None or (bias is not None and is_causal):
        allowed = _t(mask).to(torch.bool) if mask is not None else None
        if is_causal:
            # torch treats attn_mask and is_causal as exclusive: fold the causal band in.
            causal = torch.ones((query.shape[1], key.shape[1]), dtype=torch.bool,
                                device=query.device).tril()
            allowed = causal if allowed is None else allowed & causal
            is_causal = False
        attn_mask = torch.zeros(allowed.shape, dtype=dtype, device=query.device).masked_fill_(
            ~allowed, _large_negative(dtype))
        if bias is not None:
            attn_mask = attn_mask + _t(bias).to(dtype)
    elif bias is not None:
        attn_mask = _t(bias).to(dtype)
    q, k, v = query.transpose(1, 2), key.transpose(1, 2), value.transpose(1, 2)
    kwargs = {"attn_mask": attn_mask, "is_causal": bool(is_causal), "scale": scale,
              "enable_gqa": heads != kv_heads}
    if flash_attention:
        from torch.nn.attention import SDPBackend, sdpa_kernel

        try:
            with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
                out = F.scaled_dot_product_attention(q, k, v, **kwargs)
        except RuntimeError as error:
            raise ValueError(
                "dot_product_attention(flash_attention=True): the flash kernel cannot run these "
                f"inputs on {query.device} (dtype {dtype}, query.shape={tuple(query.shape)}, "
                f"mask={'yes' if attn_mask is not None else 'no'}): {error}. Pass "
                "flash_attention=None to let torch choose a kernel.") from error
    else:
        out = F.scaled_dot_product_attention(q, k, v, **kwargs)
    return out.transpose(1, 2)
