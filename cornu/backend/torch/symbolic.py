"""Shape inference without computation: run a function on shape-only ("meta") tensors.

Used for layers that do not define ``compute_output_shape`` and for ops called on
symbolic tensors. Real tensors met inside the scope (weights, constants) are replaced by
meta tensors of the same shape, so nothing is computed and no state changes.
"""

from __future__ import annotations

import contextlib

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_map

from cornu.backend.torch.core import to_torch_dtype

_META = torch.device("meta")


def _to_meta(x):
    if isinstance(x, torch.Tensor) and x.device.type != "meta":
        return torch.empty_strided(x.shape, x.stride(), dtype=x.dtype, device=_META)
    if isinstance(x, torch.device):
        return _META
    return x


class _MetaMode(TorchDispatchMode):
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        args = tree_map(_to_meta, args)
        kwargs = tree_map(_to_meta, kwargs or {})
        return func(*args, **kwargs)


def placeholder(shape: tuple, dtype) -> torch.Tensor:
    """A tensor with a shape and dtype but no data."""
    return torch.empty(tuple(shape), dtype=to_torch_dtype(dtype), device=_META)


@contextlib.contextmanager
def symbolic_scope():
    """Runs the block on meta tensors, with gradients off."""
    with torch.no_grad(), _MetaMode():
        yield
