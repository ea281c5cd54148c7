"""Shared by the categorical preprocessing layers: one/multi-hot and count encodings."""

from __future__ import annotations

from typing import Any

from cornu import ops

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def encode_categorical(inputs: Any, output_mode: str, depth: int, dtype: str = "float32",
                       count_weights: Any = None) -> Any:
    """Encodes integer ids in ``[0, depth)`` as Keras's categorical layers do.

    * ``"one_hot"``: one vector per id (a trailing axis of size 1 is replaced);
    * ``"multi_hot"``: the last axis holds one sample's ids; 1 where an id occurs;
    * ``"count"``: as multi_hot, but how often each id occurs (weighted by
      ``count_weights`` when given).

    Ids outside ``[0, depth)`` encode to zeros.
    """
    if output_mode == "int":
        return ops.cast(inputs, dtype)
    shape = ops.shape(inputs)
    if len(shape) == 0:
        inputs = ops.expand_dims(inputs, -1)
        shape = ops.shape(inputs)
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            inputs = ops.squeeze(inputs, -1)
        return ops.one_hot(inputs, depth, dtype=dtype)
    one_hot = ops.one_hot(inputs, depth, dtype=dtype if count_weights is None else
                          ops.dtype(count_weights))
    if output_mode == "multi_hot":
        return ops.max(one_hot, axis=-2)
    if output_mode == "count":
        if count_weights is not None:
            one_hot = one_hot * ops.expand_dims(count_weights, -1)
        return ops.sum(one_hot, axis=-2)
    raise ValueError(f"Unknown `output_mode`: expected one of {OUTPUT_MODES}. "
                     f"Received: output_mode={output_mode!r}")


def encoded_shape(input_shape: tuple, output_mode: str, depth: int) -> tuple:
    """The output shape of :func:`encode_categorical` for inputs of ``input_shape``."""
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if not input_shape:
        return (depth,)
    if output_mode == "one_hot":
        if input_shape[-1] == 1 and len(input_shape) > 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    return input_shape[:-1] + (depth,)
