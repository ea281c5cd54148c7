"""Attention masks: merging Keras masks, causal and sliding-window bands, masked softmax.

Masks are boolean, ``True`` where a query position may attend to a key position, in
Keras's convention: ``(batch, query_len, key_len)`` with batch and head axes broadcast.
"""

from __future__ import annotations

from typing import Any

from cornu import ops


def causal_mask(query_len: int, key_len: int) -> Any:
    """``(1, query_len, key_len)``, ``True`` on and below the diagonal (top-left aligned)."""
    rows = ops.expand_dims(ops.arange(query_len, dtype="int32"), -1)
    cols = ops.expand_dims(ops.arange(key_len, dtype="int32"), 0)
    return ops.expand_dims(ops.greater_equal(rows, cols), 0)


def sliding_window_mask(query_len: int, key_len: int, window: int) -> Any:
    """``(1, query_len, key_len)``, ``True`` where ``|i - j| < window``."""
    rows = ops.expand_dims(ops.arange(query_len, dtype="int32"), -1)
    cols = ops.expand_dims(ops.arange(key_len, dtype="int32"), 0)
    return ops.expand_dims(ops.less(ops.abs(rows - cols), window), 0)


def check_input_mask(where: str, name: str, mask: Any, inputs: Any) -> None:
    """A ``query_mask``/``value_mask``/``key_mask`` must have its input's shape minus features."""
    expected = tuple(ops.shape(inputs))[:-1]
    received = tuple(ops.shape(mask))
    if received != expected:
        raise ValueError(
            f"{where}: `{name}` must have the shape of its input without the feature axis, "
            f"{expected}. Received: {name}.shape={received}")


def merge_masks(where: str, query: Any, value: Any, key: Any, query_mask: Any = None,
                value_mask: Any = None, key_mask: Any = None, attention_mask: Any = None,
                use_causal_mask: bool = False, sliding_window: int | None = None) -> Any:
    """One boolean attention mask (or ``None``) from every mask source, combined with AND.

    The query mask becomes ``(B, T, 1)``, the value and key masks ``(B, 1, S)``, the causal
    and sliding-window bands ``(1, T, S)``.
    """
    parts = []
    if query_mask is not None:
        check_input_mask(where, "query_mask", query_mask, query)
        parts.append(ops.expand_dims(ops.cast(query_mask, "bool"), -1))
    for name, mask, inputs in (("value_mask", value_mask, value), ("key_mask", key_mask, key)):
        if mask is not None:
            check_input_mask(where, name, mask, inputs)
            parts.append(ops.expand_dims(ops.cast(mask, "bool"), -2))
    query_len, key_len = ops.shape(query)[1], ops.shape(value)[1]
    if use_causal_mask:
        parts.append(causal_mask(query_len, key_len))
    if sliding_window is not None:
        parts.append(sliding_window_mask(query_len, key_len, sliding_window))
    if attention_mask is not None:
        parts.insert(0, ops.cast(attention_mask, "bool"))
    if not parts:
        return None
    merged = parts[0]
    for part in parts[1:]:
        merged = ops.logical_and(merged, part)
    return merged


def expand_mask(where: str, mask: Any, scores_shape: tuple, num_attention_axes: int) -> Any:
    """Inserts the head (and missing batch) axes so ``mask`` lines up with the scores.

    Axes are added in front of the query/key attention axes, as Keras does, and every
    size must then be 1 or the scores' size.
    """
    shape = tuple(ops.shape(mask))
    missing = len(scores_shape) - len(shape)
    if missing < 0:
        raise ValueError(f"{where}: the attention mask has more axes than the attention "
                         f"scores {tuple(scores_shape)}. Received: mask shape {shape}")
    split = len(shape) - 2 * num_attention_axes
    expanded = shape[:max(split, 0)] + (1,) * missing + shape[max(split, 0):]
    if any(m not in (1, s) for m, s in zip(expanded, scores_shape)):
        raise ValueError(
            f"{where}: the attention mask does not broadcast to the attention scores' shape "
            f"{tuple(scores_shape)} (batch, heads, query positions, key positions). Expected "
            f"a mask like (batch, query_len, key_len). Received: mask shape {shape}")
    return ops.reshape(mask, expanded) if missing else mask


def _large_negative(dtype: str) -> float:
    return -3e4 if dtype == "float16" else -1e9


def masked_softmax(scores: Any, mask: Any = None, axis: Any = -1) -> Any:
    """Softmax where masked scores get no weight; a fully masked row gives zeros (Keras)."""
    if mask is None:
        return ops.softmax(scores, axis=axis)
    scores = ops.where(mask, scores, _large_negative(ops.dtype(scores)))
    return ops.where(mask, ops.softmax(scores, axis=axis), 0.0)
