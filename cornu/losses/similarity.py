"""Metric-learning losses on embeddings: Circle loss."""

from __future__ import annotations

from typing import Any

from cornu import ops
from cornu.losses.loss import LossFunctionWrapper


def _pos_neg_masks(labels: Any, ref_labels: Any, remove_diagonal: bool) -> tuple:
    """Boolean (batch, refs) masks of same-label and different-label pairs."""
    same = ops.equal(ops.expand_dims(labels, 1), ops.expand_dims(ref_labels, 0))
    negative = ops.logical_not(same)
    if remove_diagonal:
        n, m = ops.shape(same)
        same = ops.logical_and(same, ops.logical_not(ops.cast(ops.eye(n, m), "bool")))
    return same, negative


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True,
           gamma=80, margin=0.4):
    """Circle loss (Sun et al., 2020) of L2-normalized embeddings ``y_pred`` with integer
    labels ``y_true``: pulls same-label pairs together and pushes others apart.

    Returns one value per sample; samples with a zero loss are masked out of means.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    labels = ops.cast(y_true, "int32")
    if len(ops.shape(labels)) == 2 and ops.shape(labels)[-1] == 1:
        labels = ops.squeeze(labels, -1)
    refs = y_pred if ref_embeddings is None else ops.convert_to_tensor(ref_embeddings)
    ref_labels = labels if ref_labels is None else ops.cast(ref_labels, "int32")
    distances = ops.maximum(1.0 - ops.matmul(y_pred, ops.transpose(refs)), 0.0)
    positive, negative = _pos_neg_masks(labels, ref_labels, remove_diagonal)
    dtype = ops.dtype(distances)
    pos_weights = ops.maximum((margin + distances) * ops.cast(positive, dtype), 0.0)
    neg_weights = ops.maximum((1.0 + margin - distances) * ops.cast(negative, dtype), 0.0)
    pos_logits = -gamma * pos_weights * (margin - distances)
    neg_logits = gamma * neg_weights * ((1.0 - margin) - distances)
    p_loss = ops.logsumexp(ops.where(positive, pos_logits, float("-inf")), axis=1)
    n_loss = ops.logsumexp(ops.where(negative, neg_logits, float("-inf")), axis=1)
    loss = ops.softplus(p_loss + n_loss)
    loss._keras_mask = loss > 0
    return loss


class Circle(LossFunctionWrapper):
    """Circle loss on L2-normalized embeddings (see :func:`circle`)."""

    def __init__(self, gamma: float = 80.0, margin: float = 0.4, remove_diagonal: bool = True,
                 reduction: Any = "sum_over_batch_size", name: str = "circle",
                 dtype: Any = None) -> None:
        super().__init__(circle, reduction=reduction, name=name, dtype=dtype, gamma=gamma,
                         margin=margin, remove_diagonal=remove_diagonal)
        self.gamma, self.margin, self.remove_diagonal = gamma, margin, remove_diagonal
