"""NumPy-like tensor operations on torch, with Keras's names and semantics."""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np
import torch

from cornu import config
from cornu.backend.torch.core import (
    as_tensor,
    convert_to_tensor,
    get_device,
    standardize_dtype,
    to_torch_dtype,
)

_t = as_tensor


def _axes(axis: Any) -> Any:
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return tuple(int(a) for a in axis)
    return int(axis)


def _float(x: torch.Tensor) -> torch.Tensor:
    """Integers and booleans become floatx, as Keras does for float-valued functions."""
    return x if x.is_floating_point() or x.is_complex() else x.to(to_torch_dtype(config.floatx()))


def _pair(x1: Any, x2: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Converts two operands, letting Python scalars adopt the tensor's dtype."""
    t1, t2 = isinstance(x1, torch.Tensor), isinstance(x2, torch.Tensor)
    if t1 and t2:
        return x1, x2
    if t1 and isinstance(x2, (int, float, bool)):
        # torch.full launches a fill kernel; torch.tensor would copy from the host and, on
        # an accelerator, wait for the queue: a sync per op.
        if isinstance(x2, float) and not x1.is_floating_point():
            x1 = _float(x1)
        return x1, torch.full((), x2, dtype=x1.dtype, device=x1.device)
    if t2 and isinstance(x1, (int, float, bool)):
        b, a = _pair(x2, x1)
        return a, b
    return _t(x1), _t(x2)


def _scalar_operands(x1: Any, x2: Any) -> tuple:
    """Operands for torch functions that take a Python number on either side as is."""
    if isinstance(x1, torch.Tensor) and isinstance(x2, (int, float)) or \
            isinstance(x2, torch.Tensor) and isinstance(x1, (int, float)):
        return x1, x2
    return _pair(x1, x2)


# --- arithmetic -----------------------------------------------------------------------------
def add(x1, x2):
    return torch.add(*_scalar_operands(x1, x2))


def subtract(x1, x2):
    return torch.subtract(*_scalar_operands(x1, x2))


def multiply(x1, x2):
    return torch.multiply(*_scalar_operands(x1, x2))


def divide(x1, x2):
    return torch.divide(*_scalar_operands(x1, x2))


true_divide = divide


def divide_no_nan(x1, x2):
    a, b = _pair(x1, x2)
    a, b = _float(a), _float(b)
    return torch.where(b == 0, torch.zeros((), dtype=a.dtype, device=a.device), a / b)


def floor_divide(x1, x2):
    return torch.floor_divide(*_pair(x1, x2))


def mod(x1, x2):
    return torch.remainder(*_pair(x1, x2))


def power(x1, x2):
    return torch.pow(*_scalar_operands(x1, x2))


def negative(x):
    return torch.negative(_t(x))


def abs(x):
    return torch.abs(_t(x))


absolute = abs


def sign(x):
    return torch.sign(_t(x))


def square(x):
    x = _t(x)
    return x * x


def sqrt(x):
    return torch.sqrt(_float(_t(x)))


def rsqrt(x):
    return torch.rsqrt(_float(_t(x)))


def reciprocal(x):
    return torch.reciprocal(_float(_t(x)))


def exp(x):
    return torch.exp(_float(_t(x)))


def expm1(x):
    return torch.expm1(_float(_t(x)))


def log(x):
    return torch.log(_float(_t(x)))


def log1p(x):
    return torch.log1p(_float(_t(x)))


def log2(x):
    return torch.log2(_float(_t(x)))


def log10(x):
    return torch.log10(_float(_t(x)))


def logaddexp(x1, x2):
    a, b = _pair(x1, x2)
    return torch.logaddexp(_float(a), _float(b))


def sin(x):
    return torch.sin(_float(_t(x)))


def cos(x):
    return torch.cos(_float(_t(x)))


def tan(x):
    return torch.tan(_float(_t(x)))


def arcsin(x):
    return torch.asin(_float(_t(x)))


def arccos(x):
    return torch.acos(_float(_t(x)))


def arctan(x):
    return torch.atan(_float(_t(x)))


def arctan2(x1, x2):
    a, b = _pair(x1, x2)
    return torch.atan2(_float(a), _float(b))


def sinh(x):
    return torch.sinh(_float(_t(x)))


def cosh(x):
    return torch.cosh(_float(_t(x)))


def tanh(x):
    return torch.tanh(_float(_t(x)))


def arcsinh(x):
    return torch.asinh(_float(_t(x)))


def arccosh(x):
    return torch.acosh(_float(_t(x)))


def arctanh(x):
    return torch.atanh(_float(_t(x)))


def erf(x):
    return torch.erf(_float(_t(x)))


def erfinv(x):
    return torch.erfinv(_float(_t(x)))


def floor(x):
    x = _t(x)
    return torch.floor(x) if x.is_floating_point() else x


def ceil(x):
    x = _t(x)
    return torch.ceil(x) if x.is_floating_point() else x


def round(x, decimals=0):
    x = _t(x)
    return torch.round(x, decimals=decimals) if x.is_floating_point() else x


def trunc(x):
    x = _t(x)
    return torch.trunc(x) if x.is_floating_point() else x


def maximum(x1, x2):
    return torch.maximum(*_pair(x1, x2))


def minimum(x1, x2):
    return torch.minimum(*_pair(x1, x2))


def clip(x, x_min, x_max):
    x = _t(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    return torch.clamp(x, min=x_min, max=x_max)


def isfinite(x):
    return torch.isfinite(_t(x))


def isinf(x):
    return torch.isinf(_t(x))


def isnan(x):
    return torch.isnan(_t(x))


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    a, b = _pair(x1, x2)
    return torch.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    return torch.nan_to_num(_t(x), nan=nan, posinf=posinf, neginf=neginf)


# --- comparison and logic -------------------------------------------------------------------
def equal(x1, x2):
    return torch.eq(*_pair(x1, x2))


def not_equal(x1, x2):
    return torch.ne(*_pair(x1, x2))


def greater(x1, x2):
    return torch.gt(*_pair(x1, x2))


def greater_equal(x1, x2):
    return torch.ge(*_pair(x1, x2))


def less(x1, x2):
    return torch.lt(*_pair(x1, x2))


def less_equal(x1, x2):
    return torch.le(*_pair(x1, x2))


def logical_and(x1, x2):
    return torch.logical_and(*_pair(x1, x2))


def logical_or(x1, x2):
    return torch.logical_or(*_pair(x1, x2))


def logical_xor(x1, x2):
    return torch.logical_xor(*_pair(x1, x2))


def logical_not(x):
    return torch.logical_not(_t(x))


def where(condition, x1=None, x2=None):
    condition = _t(condition).to(torch.bool)
    if x1 is None and x2 is None:
        return torch.where(condition)
    a, b = _pair(x1, x2)
    return torch.where(condition, a, b)


# --- reductions -----------------------------------------------------------------------------
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


# --- shapes ---------------------------------------------------------------------------------
def reshape(x, newshape):
    if isinstance(newshape, int):
        newshape = (newshape,)
    return torch.reshape(_t(x), tuple(-1 if d is None else int(d) for d in newshape))


def transpose(x, axes=None):
    x = _t(x)
    if axes is None:
        return x.permute(*reversed(range(x.ndim)))
    return x.permute(*axes)


def expand_dims(x, axis):
    x = _t(x)
    if isinstance(axis, (list, tuple)):
        out_ndim = x.ndim + len(axis)
        for a in sorted(a % out_ndim for a in axis):
            x = x.unsqueeze(a)
        return x
    return x.unsqueeze(int(axis))


def squeeze(x, axis=None):
    x = _t(x)
    if axis is None:
        return torch.squeeze(x)
    axes = axis if isinstance(axis, (list, tuple)) else (axis,)
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(f"Cannot squeeze axis {a}: its size is {x.shape[a]}, expected 1. "
                             f"Received input shape {tuple(x.shape)}")
    return torch.squeeze(x, dim=tuple(int(a) for a in axes))


def ravel(x):
    return torch.ravel(_t(x))


def flatten(x):
    return ravel(x)


def concatenate(xs, axis=0):
    xs = [_t(x) for x in xs]
    dtype = xs[0].dtype
    for x in xs[1:]:
        dtype = torch.promote_types(dtype, x.dtype)
    return torch.cat([x.to(dtype) for x in xs], dim=0 if axis is None else int(axis))


def stack(x, axis=0):
    return torch.stack([_t(e) for e in x], dim=int(axis))


def unstack(x, num=None, axis=0):
    return list(torch.unbind(_t(x), dim=int(axis)))


def split(x, indices_or_sections, axis=0):
    x = _t(x)
    n = x.shape[axis]
    if isinstance(indices_or_sections, int):
        if n % indices_or_sections:
            raise ValueError(f"split: axis {axis} of size {n} cannot be divided into "
                             f"{indices_or_sections} equal sections.")
        return list(torch.split(x, n // indices_or_sections, dim=axis))
    bounds = [0, *[int(i) for i in indices_or_sections], n]
    return [x.narrow(axis, a, b - a) for a, b in zip(bounds[:-1], bounds[1:])]


def hstack(xs):
    xs = [_t(x) for x in xs]
    return concatenate(xs, axis=0 if xs[0].ndim == 1 else 1)


def vstack(xs):
    return torch.vstack([_t(x) for x in xs])


def swapaxes(x, axis1, axis2):
    return torch.swapaxes(_t(x), axis1, axis2)


def moveaxis(x, source, destination):
    return torch.movedim(_t(x), source, destination)


def broadcast_to(x, shape):
    return torch.broadcast_to(_t(x), tuple(shape))


def tile(x, repeats):
    return torch.tile(_t(x), tuple(repeats) if isinstance(repeats, (list, tuple)) else (repeats,))


def repeat(x, repeats, axis=None):
    x = _t(x)
    if isinstance(repeats, (list, tuple, np.ndarray, torch.Tensor)):
        repeats = convert_to_tensor(repeats, dtype="int64")
    return torch.repeat_interleave(x, repeats, dim=axis)


def flip(x, axis=None):
    x = _t(x)
    dims = tuple(range(x.ndim)) if axis is None else (
        tuple(axis) if isinstance(axis, (list, tuple)) else (axis,))
    return torch.flip(x, dims=dims)


def roll(x, shift, axis=None):
    return torch.roll(_t(x), shifts=shift, dims=axis)


def pad(x, pad_width, mode="constant", constant_values=None):
    x = _t(x)
    pad_width = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.ndim, 2))
    flat = [int(v) for pair in pad_width[::-1] for v in pair]
    if mode == "constant":
        return torch.nn.functional.pad(x, flat, value=constant_values or 0)
    torch_mode = {"reflect": "reflect", "symmetric": "replicate", "edge": "replicate",
                  "wrap": "circular"}.get(mode)
    if torch_mode is None:
        raise ValueError(f"pad: unsupported mode {mode!r}; expected one of constant, reflect, "
                         "edge, wrap.")
    return torch.nn.functional.pad(x, flat, mode=torch_mode)


def take(x, indices, axis=None):
    x = _t(x)
    indices = _t(indices).long()
    if axis is None:
        x = x.reshape(-1)
        axis = 0
    axis = axis % x.ndim
    indices = torch.where(indices < 0, indices + x.shape[axis], indices)
    out = torch.index_select(x, axis, indices.reshape(-1))
    return out.reshape(x.shape[:axis] + indices.shape + x.shape[axis + 1:])


def take_along_axis(x, indices, axis=None):
    x = _t(x)
    indices = _t(indices).long()
    if axis is None:
        return torch.take(x, indices)
    return torch.take_along_dim(x, indices, dim=axis)


def tril(x, k=0):
    return torch.tril(_t(x), diagonal=k)


def triu(x, k=0):
    return torch.triu(_t(x), diagonal=k)


def diag(x, k=0):
    return torch.diag(_t(x), diagonal=k)


def diagonal(x, offset=0, axis1=0, axis2=1):
    return torch.diagonal(_t(x), offset=offset, dim1=axis1, dim2=axis2)


def trace(x, offset=0, axis1=0, axis2=1):
    return torch.sum(diagonal(x, offset, axis1, axis2), dim=-1)


def sort(x, axis=-1):
    return torch.sort(_t(x), dim=axis).values


def argsort(x, axis=-1):
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.argsort(x, dim=axis, stable=True)


def diff(a, n=1, axis=-1):
    return torch.diff(_t(a), n=n, dim=axis)


def nonzero(x):
    return tuple(torch.nonzero(_t(x), as_tuple=True))


def ndim(x):
    return _t(x).ndim


def size(x):
    return _t(x).numel()


def copy(x):
    return _t(x).clone()


def real(x):
    x = _t(x)
    return torch.real(x) if x.is_complex() else x


def imag(x):
    x = _t(x)
    return torch.imag(x) if x.is_complex() else torch.zeros_like(x)


def conj(x):
    return torch.conj(_t(x))


def bincount(x, weights=None, minlength=0, sparse=False):
    x = _t(x).long()
    w = None if weights is None else _t(weights)
    if x.ndim == 2:
        return torch.stack([torch.bincount(r, weights=None if w is None else wr,
                                           minlength=minlength)
                            for r, wr in zip(x, w if w is not None else [None] * len(x))])
    return torch.bincount(x, weights=w, minlength=minlength)


def digitize(x, bins):
    x = _t(x)
    bins = convert_to_tensor(bins, dtype=x.dtype)
    return torch.bucketize(x, bins, right=True).to(torch.int32)


def searchsorted(sorted_sequence, values, side="left"):
    return torch.searchsorted(_t(sorted_sequence), _t(values), right=(side == "right"))


# --- linear algebra -------------------------------------------------------------------------
def matmul(x1, x2):
    a, b = _pair(x1, x2)
    if a.dtype != b.dtype:
        dtype = torch.promote_types(a.dtype, b.dtype)
        a, b = a.to(dtype), b.to(dtype)
    return torch.matmul(a, b)


def dot(x1, x2):
    a, b = _pair(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim == 1 or a.ndim == 1:
        return torch.matmul(a, b)
    return torch.tensordot(a, b, dims=([-1], [-2]))


def vdot(x1, x2):
    return torch.vdot(_t(x1).reshape(-1), _t(x2).reshape(-1))


def inner(x1, x2):
    return torch.inner(*_pair(x1, x2))


def outer(x1, x2):
    return torch.outer(_t(x1).reshape(-1), _t(x2).reshape(-1))


def tensordot(x1, x2, axes=2):
    a, b = _pair(x1, x2)
    if isinstance(axes, (list, tuple)) and len(axes) == 2:
        axes = tuple(tuple(e) if isinstance(e, (list, tuple)) else (e,) for e in axes)
    return torch.tensordot(a, b, dims=axes)


def einsum(subscripts, *operands, **kwargs):
    ops = [_t(o) for o in operands]
    dtype = ops[0].dtype
    for o in ops[1:]:
        dtype = torch.promote_types(dtype, o.dtype)
    return torch.einsum(subscripts, *[o.to(dtype) for o in ops])


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    return torch.linalg.cross(*_pair(x1, x2), dim=-1 if axis is None else axis)


# --- creation -------------------------------------------------------------------------------
def _dtype_or_floatx(dtype):
    return to_torch_dtype(dtype or config.floatx())


def zeros(shape, dtype=None):
    return torch.zeros(tuple(shape) if not isinstance(shape, int) else (shape,),
                       dtype=_dtype_or_floatx(dtype), device=get_device())


def ones(shape, dtype=None):
    return torch.ones(tuple(shape) if not isinstance(shape, int) else (shape,),
                      dtype=_dtype_or_floatx(dtype), device=get_device())


def empty(shape, dtype=None):
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None):
    shape = tuple(shape) if not isinstance(shape, int) else (shape,)
    if dtype is None and isinstance(fill_value, torch.Tensor):
        dtype = fill_value.dtype
    return torch.full(shape, fill_value, dtype=_dtype_or_floatx(dtype), device=get_device())


def zeros_like(x, dtype=None):
    x = _t(x)
    return torch.zeros_like(x, dtype=None if dtype is None else to_torch_dtype(dtype))


def ones_like(x, dtype=None):
    x = _t(x)
    return torch.ones_like(x, dtype=None if dtype is None else to_torch_dtype(dtype))


def full_like(x, fill_value, dtype=None):
    x = _t(x)
    return torch.full_like(x, fill_value, dtype=None if dtype is None else to_torch_dtype(dtype))


def empty_like(x, dtype=None):
    return zeros_like(x, dtype)


def eye(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    ones = torch.ones((N, M), dtype=_dtype_or_floatx(dtype), device=get_device())
    return torch.tril(ones, k) - torch.tril(ones, k - 1)


def identity(n, dtype=None):
    return torch.eye(n, dtype=_dtype_or_floatx(dtype), device=get_device())


def tri(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    return torch.tril(torch.ones((N, M), dtype=_dtype_or_floatx(dtype), device=get_device()), k)


def arange(start, stop=None, step=1, dtype=None):
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        is_float = builtins.any(isinstance(v, float) for v in (start, stop, step))
        dtype = config.floatx() if is_float else "int32"
    return torch.arange(start, stop, step, dtype=to_torch_dtype(dtype), device=get_device())


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    if not endpoint:
        stop = start + (stop - start) * (num - 1) / num if num > 1 else start
    out = torch.linspace(float(start), float(stop), num, dtype=_dtype_or_floatx(dtype),
                         device=get_device())
    if retstep:
        return out, (stop - start) / builtins.max(num - 1, 1)
    return out


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    return torch.pow(float(base), linspace(start, stop, num, endpoint, dtype=dtype))


def meshgrid(*x, indexing="xy"):
    return list(torch.meshgrid(*[_t(e) for e in x], indexing=indexing))


def array(x, dtype=None):
    return convert_to_tensor(x, dtype=dtype)


def result_type(*dtypes):
    out = to_torch_dtype(dtypes[0])
    for d in dtypes[1:]:
        out = torch.promote_types(out, to_torch_dtype(d))
    return standardize_dtype(out)


# --- indexing and structure -----------------------------------------------------------------
def slice(inputs, start_indices, shape):
    x = _t(inputs)
    index = tuple(builtins.slice(int(s), int(s) + int(n)) for s, n in zip(start_indices, shape))
    return x[index]


def slice_update(inputs, start_indices, updates):
    x = _t(inputs).clone()
    updates = convert_to_tensor(updates, dtype=x.dtype)
    index = tuple(builtins.slice(int(s), int(s) + n) for s, n in zip(start_indices, updates.shape))
    x[index] = updates
    return x


def scatter(indices, values, shape):
    indices = _t(indices).long()
    values = _t(values)
    out = torch.zeros(tuple(shape), dtype=values.dtype, device=values.device)
    out.index_put_(tuple(indices.reshape(-1, indices.shape[-1]).t()),
                   values.reshape((-1,) + tuple(shape[indices.shape[-1]:])), accumulate=True)
    return out


def scatter_update(inputs, indices, updates):
    x = _t(inputs).clone()
    indices = _t(indices).long()
    x[tuple(indices.t())] = convert_to_tensor(updates, dtype=x.dtype)
    return x


def top_k(x, k, sorted=True):
    out = torch.topk(_t(x), k, dim=-1, sorted=sorted)
    return out.values, out.indices


def in_top_k(targets, predictions, k):
    predictions = _t(predictions)
    targets = _t(targets).long()
    target_values = predictions.gather(-1, targets.unsqueeze(-1))
    return torch.sum(predictions > target_values, dim=-1) < k


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    data = _t(data)
    segment_ids = _t(segment_ids).long()
    n = int(segment_ids.max().item()) + 1 if num_segments is None else num_segments
    out = torch.zeros((n,) + tuple(data.shape[1:]), dtype=data.dtype, device=data.device)
    return out.index_add_(0, segment_ids, data)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    data = _t(data)
    segment_ids = _t(segment_ids).long()
    n = int(segment_ids.max().item()) + 1 if num_segments is None else num_segments
    out = torch.full((n,) + tuple(data.shape[1:]), -math.inf, dtype=data.dtype,
                     device=data.device)
    index = segment_ids.reshape((-1,) + (1,) * (data.ndim - 1)).expand_as(data)
    return out.scatter_reduce(0, index, data, reduce="amax", include_self=True)
