"""Operand handling shared by the NumPy-like ops: conversion, float promotion, scalars."""

from __future__ import annotations

from typing import Any

import torch

from cornu import config
from cornu.backend.torch.core import as_tensor, to_torch_dtype

_t = as_tensor


def normalize_axes(axis: Any) -> Any:
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return tuple(int(a) for a in axis)
    return int(axis)


def as_float(x: torch.Tensor) -> torch.Tensor:
    """Integers and booleans become floatx, as Keras does for float-valued functions."""
    return x if x.is_floating_point() or x.is_complex() else x.to(to_torch_dtype(config.floatx()))


def pair(x1: Any, x2: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Converts two operands, letting Python scalars adopt the tensor's dtype."""
    t1, t2 = isinstance(x1, torch.Tensor), isinstance(x2, torch.Tensor)
    if t1 and t2:
        return x1, x2
    if t1 and isinstance(x2, (int, float, bool)):
        # torch.full launches a fill kernel; torch.tensor would copy from the host and, on
        # an accelerator, wait for the queue: a sync per op.
        if isinstance(x2, float) and not x1.is_floating_point():
            x1 = as_float(x1)
        return x1, torch.full((), x2, dtype=x1.dtype, device=x1.device)
    if t2 and isinstance(x1, (int, float, bool)):
        b, a = pair(x2, x1)
        return a, b
    return _t(x1), _t(x2)


def scalar_operands(x1: Any, x2: Any) -> tuple:
    """Operands for torch functions that take a Python number on either side as is."""
    if isinstance(x1, torch.Tensor) and isinstance(x2, (int, float)) or \
            isinstance(x2, torch.Tensor) and isinstance(x1, (int, float)):
        return x1, x2
    return pair(x1, x2)


__all__ = ["as_float", "as_tensor", "normalize_axes", "pair", "scalar_operands"]
