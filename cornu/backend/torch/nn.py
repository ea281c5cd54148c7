"""Neural-network operations on torch: activations, normalization, losses' kernels."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from cornu import config
from cornu.backend.torch.core import as_tensor, to_torch_dtype
from cornu.backend.torch.operands import as_float as _float
from cornu.backend.torch.spatial import (  # noqa: F401 - cornu.ops.nn's entries
    adaptive_average_pool, adaptive_max_pool, average_pool, conv, conv_transpose, depthwise_conv,
    max_pool, separable_conv)

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
    if generator is None:
        noise = torch.rand(shape, dtype=x.dtype, device=x.device)
    else:  # seeded generators are CPU generators: same draws on every device
        noise = torch.rand(shape, dtype=x.dtype, generator=generator).to(x.device)
    keep = noise >= rate
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
