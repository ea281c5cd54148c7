"""Products: matmul, dot, tensordot, einsum, outer, cross."""

from __future__ import annotations


import torch

from cornu.backend.torch.operands import as_tensor as _t
from cornu.backend.torch.operands import pair as _pair


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


__all__ = ["cross", "dot", "einsum", "inner", "matmul", "outer", "tensordot", "vdot"]
