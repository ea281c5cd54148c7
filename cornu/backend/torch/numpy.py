"""NumPy-like tensor operations on torch, with Keras's names and semantics.

This module holds the elementwise arithmetic, comparison and logic, and re-exports the
other families (reductions, shapes, products, creation, indexing) so that
``backend.numpy`` is the whole NumPy-like API.
"""

from __future__ import annotations


import torch

from cornu.backend.torch.operands import as_float as _float
from cornu.backend.torch.operands import as_tensor as _t
from cornu.backend.torch.operands import pair as _pair
from cornu.backend.torch.operands import scalar_operands as _scalar_operands


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


from cornu.backend.torch.creation import *  # noqa: E402,F401,F403
from cornu.backend.torch.indexing import *  # noqa: E402,F401,F403
from cornu.backend.torch.linalg import *  # noqa: E402,F401,F403
from cornu.backend.torch.reductions import *  # noqa: E402,F401,F403
from cornu.backend.torch.shapes import *  # noqa: E402,F401,F403
