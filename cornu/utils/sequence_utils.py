"""``pad_sequences``: pad or truncate lists of sequences to one length."""

from __future__ import annotations

from typing import Any

import numpy as np


def pad_sequences(sequences: Any, maxlen: int | None = None, dtype: str = "int32",
                  padding: str = "pre", truncating: str = "pre", value: Any = 0.0) -> np.ndarray:
    """Pads sequences to the same length, as ``keras.utils.pad_sequences``.

    Args:
        sequences: a list of sequences (lists or arrays; items may themselves be arrays).
        maxlen: the output length; defaults to the longest sequence.
        dtype: the output dtype (``"object"`` or a string dtype for text).
        padding: ``"pre"`` or ``"post"``: where to pad.
        truncating: ``"pre"`` or ``"post"``: which end to cut longer sequences at.
        value: the padding value.

    Returns:
        An array of shape ``(len(sequences), maxlen, *item_shape)``.

    Example:
        >>> pad_sequences([[1], [2, 3], [4, 5, 6]])
        array([[0, 0, 1], [0, 2, 3], [4, 5, 6]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"`sequences` must be iterable with a length. Received: {sequences!r}")
    if padding not in ("pre", "post"):
        raise ValueError(f'`padding` must be "pre" or "post". Received: padding={padding!r}')
    if truncating not in ("pre", "post"):
        raise ValueError(f'`truncating` must be "pre" or "post". Received: '
                         f"truncating={truncating!r}")
    lengths, item_shape = [], ()
    for i, seq in enumerate(sequences):
        if not hasattr(seq, "__len__"):
            raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable "
                             f"{seq!r} at index {i}.")
        lengths.append(len(seq))
        if not item_shape and len(seq):
            item_shape = np.asarray(seq).shape[1:]
    if maxlen is None:
        maxlen = max(lengths, default=0)
    is_text = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.object_)
    if isinstance(value, str) and not is_text:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type "
                         f"{type(value)}. Set `dtype=object` for variable-length strings.")
    out = np.full((len(sequences), maxlen) + tuple(item_shape), value, dtype=dtype)
    for i, seq in enumerate(sequences):
        if not len(seq) or not maxlen:
            continue
        kept = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != tuple(item_shape):
            raise ValueError(f"Shape of sample {kept.shape[1:]} of sequence at position {i} "
                             f"is different from expected shape {tuple(item_shape)}.")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, -len(kept):] = kept
    return out
