"""Shape and layout operations (reshape, transpose, concatenate, pad, take, sort ...)."""

from __future__ import annotations


import numpy as np
import torch

from cornu.backend.torch.core import convert_to_tensor
from cornu.backend.torch.operands import as_tensor as _t


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


def _pad_pairs(pad_width, ndim: int) -> list:
    """NumPy's ``pad_width`` spellings (``n``, ``(n,)``, ``(before, after)``, one pair per
    axis) as one ``[before, after]`` pair per axis, in plain Python (traceable)."""
    if isinstance(pad_width, (int, np.integer)):
        return [[int(pad_width)] * 2] * ndim
    if not any(isinstance(p, (list, tuple, np.ndarray)) for p in pad_width):
        pad_width = [pad_width]  # one (before, after) pair, or (n,), for every axis
    pairs = [list(p) if isinstance(p, (list, tuple, np.ndarray)) else [p] for p in pad_width]
    if len(pairs) == 1:
        pairs = pairs * ndim
    return [[int(p[0]), int(p[-1])] for p in pairs]


def pad(x, pad_width, mode="constant", constant_values=None):
    x = _t(x)
    flat = [v for pair in _pad_pairs(pad_width, x.ndim)[::-1] for v in pair]
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


__all__ = ["argsort", "bincount", "broadcast_to", "concatenate", "conj", "copy", "diag", "diagonal", "diff", "digitize", "expand_dims", "flatten", "flip", "hstack", "imag", "moveaxis", "ndim", "nonzero", "pad", "ravel", "real", "repeat", "reshape", "roll", "searchsorted", "size", "sort", "split", "squeeze", "stack", "swapaxes", "take", "take_along_axis", "tile", "trace", "transpose", "tril", "triu", "unstack", "vstack"]
