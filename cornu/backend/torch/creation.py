"""Tensor creation: zeros, ones, full, eye, arange, linspace, meshgrid ..."""

from __future__ import annotations

import builtins

import torch

from cornu import config
from cornu.backend.torch.core import convert_to_tensor, get_device, standardize_dtype, to_torch_dtype
from cornu.backend.torch.operands import as_tensor as _t


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


__all__ = ["arange", "array", "empty", "empty_like", "eye", "full", "full_like", "identity", "linspace", "logspace", "meshgrid", "ones", "ones_like", "result_type", "tri", "zeros", "zeros_like"]
