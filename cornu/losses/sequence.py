"""Sequence losses: Connectionist Temporal Classification (CTC)."""

from __future__ import annotations

from typing import Any

from cornu import ops
from cornu.losses.loss import LossFunctionWrapper


def ctc(y_true, y_pred):
    """CTC loss of logits ``y_pred`` (batch, time, classes) against integer labels
    ``y_true`` (batch, max_label_length); class 0 is the blank and pads the labels."""
    if len(ops.shape(y_true)) != 2:
        raise ValueError("ctc: targets `y_true` are expected to have shape (batch_size, "
                         f"max_length) in integer format. Received: "
                         f"y_true.shape={ops.shape(y_true)}")
    if len(ops.shape(y_pred)) != 3:
        raise ValueError("ctc: logits `y_pred` are expected to have shape (batch_size, "
                         f"max_length, num_classes). Received: y_pred.shape={ops.shape(y_pred)}")
    batch, time = ops.shape(y_pred)[:2]
    labels = ops.cast(y_true, "int32")
    label_length = ops.sum(ops.cast(ops.not_equal(labels, 0), "int32"), axis=-1)
    input_length = ops.full((batch,), time, dtype="int32")
    return ops.ctc_loss(labels, y_pred, label_length, input_length, mask_index=0)


class CTC(LossFunctionWrapper):
    """CTC loss (see :func:`ctc`)."""

    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "ctc",
                 dtype: Any = None) -> None:
        super().__init__(ctc, reduction=reduction, name=name, dtype=dtype)
