"""Convolution and pooling on torch, with Keras's signatures, layouts and padding numbers.

Re-exported by ``cornu.backend.torch.nn`` (``cornu.ops.conv`` ...).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cornu import config
from cornu.backend.torch.core import as_tensor as _t
from cornu.backend.torch.operands import as_float as _float


def _ft(x):
    return _float(_t(x))


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
