"""Indexed updates and lookups: slice, scatter, top_k, segment reductions."""

from __future__ import annotations

import builtins
import math

import torch

from cornu.backend.torch.core import convert_to_tensor
from cornu.backend.torch.operands import as_tensor as _t


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


__all__ = ["in_top_k", "scatter", "scatter_update", "segment_max", "segment_sum", "slice", "slice_update", "top_k"]
