"""Reductions (sum, mean, max, var, argmax, cumsum, quantile ...) with Keras's semantics."""

from __future__ import annotations


import numpy as np
import torch

from cornu.backend.torch.core import convert_to_tensor
from cornu.backend.torch.operands import as_float as _float
from cornu.backend.torch.operands import as_tensor as _t
from cornu.backend.torch.operands import normalize_axes as _axes


def sum(x, axis=None, keepdims=False):
    x = _t(x)
    if axis is None and not keepdims:
        return torch.sum(x)
    return torch.sum(x, dim=_axes(axis) if axis is not None else tuple(range(x.ndim)),
                     keepdim=keepdims)


def mean(x, axis=None, keepdims=False):
    x = _float(_t(x))
    if axis is None and not keepdims:
        return torch.mean(x)
    return torch.mean(x, dim=_axes(axis) if axis is not None else tuple(range(x.ndim)),
                      keepdim=keepdims)


def prod(x, axis=None, keepdims=False, dtype=None):
    x = convert_to_tensor(x, dtype=dtype)
    if axis is None:
        out = torch.prod(x)
        return out.reshape((1,) * x.ndim) if keepdims else out
    for a in sorted([a % x.ndim for a in np.atleast_1d(axis)], reverse=True):
        x = torch.prod(x, dim=int(a), keepdim=keepdims)
    return x


def _minmax(fn, x, axis, keepdims, initial):
    x = _t(x)
    if axis is None:
        out = fn(x) if x.numel() else torch.full((), initial, dtype=x.dtype, device=x.device)
        out = out.reshape((1,) * x.ndim) if keepdims else out
    else:
        out = fn(x, dim=_axes(axis), keepdim=keepdims)
    if initial is not None:
        out = (torch.maximum if fn is torch.amax else torch.minimum)(
            out, torch.full((), initial, dtype=out.dtype, device=out.device))
    return out


def max(x, axis=None, keepdims=False, initial=None):
    return _minmax(torch.amax, x, axis, keepdims, initial)


def min(x, axis=None, keepdims=False, initial=None):
    return _minmax(torch.amin, x, axis, keepdims, initial)


amax = max
amin = min


def all(x, axis=None, keepdims=False):
    x = _t(x).to(torch.bool)
    if axis is None:
        out = torch.all(x)
        return out.reshape((1,) * x.ndim) if keepdims else out
    return torch.all(x, dim=_axes(axis), keepdim=keepdims)


def any(x, axis=None, keepdims=False):
    x = _t(x).to(torch.bool)
    if axis is None:
        out = torch.any(x)
        return out.reshape((1,) * x.ndim) if keepdims else out
    return torch.any(x, dim=_axes(axis), keepdim=keepdims)


def var(x, axis=None, keepdims=False):
    x = _float(_t(x))
    dims = _axes(axis) if axis is not None else tuple(range(x.ndim))
    return torch.var(x, dim=dims, keepdim=keepdims, correction=0)


def std(x, axis=None, keepdims=False):
    return torch.sqrt(var(x, axis=axis, keepdims=keepdims))


def argmax(x, axis=None, keepdims=False):
    x = _t(x)
    if axis is None:
        out = torch.argmax(x.reshape(-1))
        return out.reshape((1,) * x.ndim) if keepdims else out
    return torch.argmax(x, dim=int(axis), keepdim=keepdims)


def argmin(x, axis=None, keepdims=False):
    x = _t(x)
    if axis is None:
        out = torch.argmin(x.reshape(-1))
        return out.reshape((1,) * x.ndim) if keepdims else out
    return torch.argmin(x, dim=int(axis), keepdim=keepdims)


def cumsum(x, axis=None, dtype=None):
    x = convert_to_tensor(x, dtype=dtype)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.cumsum(x, dim=int(axis))


def cumprod(x, axis=None, dtype=None):
    x = convert_to_tensor(x, dtype=dtype)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.cumprod(x, dim=int(axis))


def count_nonzero(x, axis=None):
    return torch.count_nonzero(_t(x), dim=_axes(axis))


def logsumexp(x, axis=None, keepdims=False):
    x = _float(_t(x))
    dims = _axes(axis) if axis is not None else tuple(range(x.ndim))
    return torch.logsumexp(x, dim=dims, keepdim=keepdims)


def average(x, axis=None, weights=None):
    x = _float(_t(x))
    if weights is None:
        return mean(x, axis=axis)
    w = convert_to_tensor(weights, dtype=x.dtype)
    if axis is not None and w.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[int(axis)] = -1
        w = w.reshape(shape)
    return sum(x * w, axis=axis) / sum(w * torch.ones_like(x), axis=axis)


def median(x, axis=None, keepdims=False):
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    x = _float(_t(x))
    q = convert_to_tensor(q, dtype=x.dtype)
    if axis is None:
        out = torch.quantile(x.reshape(-1), q, interpolation=method)
        return out.reshape(q.shape + (1,) * x.ndim) if keepdims else out
    if isinstance(axis, (list, tuple)):
        axis = [a % x.ndim for a in axis]
        keep = [d for d in range(x.ndim) if d not in axis]
        moved = x.permute(*keep, *axis).reshape(*[x.shape[d] for d in keep], -1)
        out = torch.quantile(moved, q, dim=-1, interpolation=method)
        if keepdims:
            for a in sorted(axis):
                out = out.unsqueeze(a + (q.ndim))
        return out
    return torch.quantile(x, q, dim=int(axis), keepdim=keepdims, interpolation=method)


__all__ = ["all", "amax", "amin", "any", "argmax", "argmin", "average", "count_nonzero", "cumprod", "cumsum", "logsumexp", "max", "mean", "median", "min", "prod", "quantile", "std", "sum", "var"]
