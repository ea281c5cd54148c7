"""Multi-tensor operations: one call updates a whole list of tensors in place.

Optimizers write their update rule once against these; on torch they map to the
``torch._foreach_*`` kernels, which avoid a Python loop over parameters.
"""

from __future__ import annotations

import torch


def add_(xs, ys, alpha=1.0):
    if isinstance(ys, (list, tuple)):
        torch._foreach_add_(xs, list(ys), alpha=alpha)
    else:
        torch._foreach_add_(xs, ys)


def sub_(xs, ys, alpha=1.0):
    if isinstance(ys, (list, tuple)):
        torch._foreach_sub_(xs, list(ys), alpha=alpha)
    else:
        torch._foreach_sub_(xs, ys)


def mul_(xs, scalar):
    torch._foreach_mul_(xs, scalar if not isinstance(scalar, tuple) else list(scalar))


def div_(xs, ys):
    torch._foreach_div_(xs, list(ys) if isinstance(ys, (list, tuple)) else ys)


def addcmul_(xs, ys, zs, value=1.0):
    torch._foreach_addcmul_(xs, list(ys), list(zs), value=value)


def addcdiv_(xs, ys, zs, value=1.0):
    torch._foreach_addcdiv_(xs, list(ys), list(zs), value=value)


def lerp_(xs, ys, weight):
    torch._foreach_lerp_(xs, list(ys), weight)


def copy_(xs, ys):
    torch._foreach_copy_(xs, list(ys))


def maximum_(xs, ys):
    torch._foreach_maximum_(xs, list(ys))


def zero_(xs):
    torch._foreach_zero_(xs)


def add(xs, ys, alpha=1.0):
    if isinstance(ys, (list, tuple)):
        return list(torch._foreach_add(xs, list(ys), alpha=alpha))
    return list(torch._foreach_add(xs, ys))


def sub(xs, ys, alpha=1.0):
    if isinstance(ys, (list, tuple)):
        return list(torch._foreach_sub(xs, list(ys), alpha=alpha))
    return list(torch._foreach_sub(xs, ys))


def mul(xs, ys):
    return list(torch._foreach_mul(xs, list(ys) if isinstance(ys, (list, tuple)) else ys))


def div(xs, ys):
    return list(torch._foreach_div(xs, list(ys) if isinstance(ys, (list, tuple)) else ys))


def sqrt(xs):
    return list(torch._foreach_sqrt(xs))


def abs(xs):
    return list(torch._foreach_abs(xs))


def sign(xs):
    return [torch.sign(x) for x in xs]


def square(xs):
    return list(torch._foreach_mul(xs, xs))


def norm(xs):
    return list(torch._foreach_norm(xs))


def clip_(xs, lo, hi):
    torch._foreach_clamp_min_(xs, lo)
    torch._foreach_clamp_max_(xs, hi)


def _list(ys):
    return list(ys) if isinstance(ys, (list, tuple)) else ys


def pow(xs, exponent):
    return list(torch._foreach_pow(xs, _list(exponent)))


def maximum(xs, ys):
    return list(torch._foreach_maximum(xs, _list(ys)))


def minimum(xs, ys):
    return list(torch._foreach_minimum(xs, _list(ys)))


def clip(xs, lo, hi):
    out = torch._foreach_clamp_min(xs, lo)
    torch._foreach_clamp_max_(out, hi)
    return list(out)


def addcmul(xs, ys, zs, value=1.0):
    return list(torch._foreach_addcmul(xs, list(ys), list(zs), value=value))


def addcdiv(xs, ys, zs, value=1.0):
    return list(torch._foreach_addcdiv(xs, list(ys), list(zs), value=value))


def lerp(xs, ys, weight):
    return list(torch._foreach_lerp(xs, list(ys), weight))


def neg(xs):
    return list(torch._foreach_neg(xs))


def reciprocal(xs):
    return list(torch._foreach_reciprocal(xs))


def sqrt_(xs):
    torch._foreach_sqrt_(xs)


def sign_(xs):
    torch._foreach_sign_(xs)


def maximum_scalar(xs, value):
    """``max(x, value)`` for each tensor, with a Python number ``value``."""
    return list(torch._foreach_clamp_min(xs, value))


def isfinite_all(xs):
    """One boolean device tensor: whether every element of every tensor is finite.

    The max-norm of a tensor is finite exactly when all its elements are (it cannot
    overflow), so one multi-tensor kernel checks the whole list without a host read.
    """
    norms = torch._foreach_norm(xs, ord=float("inf"))
    return torch.isfinite(torch.stack([n.to(torch.float32) for n in norms])).all()
