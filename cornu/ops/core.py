"""Core operations: conversion, dtypes, shapes, indexing updates and control flow."""

from __future__ import annotations

from typing import Any, Callable

from cornu import backend
from cornu.core.keras_tensor import KerasTensor
from cornu.core.operation import symbolic_op as _op

convert_to_numpy = backend.convert_to_numpy
is_tensor = backend.is_tensor
standardize_dtype = backend.standardize_dtype
slice = _op(backend.numpy.slice)
slice_update = _op(backend.numpy.slice_update)
scatter = _op(backend.numpy.scatter)
scatter_update = _op(backend.numpy.scatter_update)
stop_gradient = _op(backend.stop_gradient, elementwise=True)
cast = _op(backend.cast, elementwise=True)


def convert_to_tensor(x: Any, dtype: Any = None, sparse: bool | None = None) -> Any:
    """Converts ``x`` (array, list, scalar, tensor) to a backend tensor on the current device.

    Example:
        >>> cornu.ops.convert_to_tensor([1.0, 2.0]).shape
        (2,)
    """
    if isinstance(x, KerasTensor):
        return x if dtype is None else cast(x, dtype)
    return backend.convert_to_tensor(x, dtype=dtype, sparse=sparse)


def shape(x: Any) -> tuple:
    """The shape of ``x`` as a tuple; unknown sizes of symbolic tensors are ``None``."""
    if isinstance(x, KerasTensor):
        return x.shape
    return tuple(backend.convert_to_tensor(x).shape)


def dtype(x: Any) -> str:
    """The dtype of ``x`` as a string, e.g. ``"float32"``."""
    if isinstance(x, KerasTensor):
        return x.dtype
    return backend.dtype(backend.convert_to_tensor(x))


def _get_item(x, key):
    return backend.convert_to_tensor(x)[key]


get_item = _op(_get_item)


def saturate_cast(x: Any, dtype: Any) -> Any:
    """Casts ``x`` to an integer ``dtype``, clipping to its range instead of wrapping."""
    import numpy as np

    info = np.iinfo(standardize_dtype(dtype))
    return cast(backend.numpy.clip(x, info.min, info.max), dtype)


def cond(pred: Any, true_fn: Callable, false_fn: Callable) -> Any:
    return true_fn() if bool(pred) else false_fn()


def while_loop(cond: Callable, body: Callable, loop_vars: Any, maximum_iterations: int | None = None):
    single = not isinstance(loop_vars, (list, tuple))
    state = (loop_vars,) if single else tuple(loop_vars)
    steps = 0
    while bool(cond(*state)) and (maximum_iterations is None or steps < maximum_iterations):
        out = body(*state)
        state = (out,) if single else tuple(out)
        steps += 1
    return state[0] if single else type(loop_vars)(state)


def fori_loop(lower: int, upper: int, body_fun: Callable, init_val: Any) -> Any:
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def unstack(x: Any, num: int | None = None, axis: int = 0) -> list:
    return backend.numpy.unstack(x, num=num, axis=axis)
