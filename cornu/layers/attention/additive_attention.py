"""``AdditiveAttention``: Bahdanau-style attention, ``sum(scale * tanh(query + key))``."""

from __future__ import annotations

from typing import Any

from cornu import ops
from cornu.layers.attention.attention import Attention


class AdditiveAttention(Attention):
    """Additive attention, as ``keras.layers.AdditiveAttention``.

    Scores are ``sum(scale * tanh(query[:, i] + key[:, j]))`` over the feature axis, with a
    learned ``scale`` vector of shape ``(dim,)`` when ``use_scale=True`` (the default). Call
    it like :class:`Attention`: on ``[query, value(, key)]`` with optional
    ``mask=[query_mask, value_mask]``. These scores have no fused kernel: it always runs
    the explicit softmax path.

    Example:
        >>> AdditiveAttention()([query, value]).shape  # query (2, 4, 8), value (2, 6, 8)
        (2, 4, 8)
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs: Any) -> None:
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape: Any) -> None:
        self._validate_inputs(input_shape)
        dim = tuple(input_shape[0])[-1]
        self.scale = self.add_weight(name="scale", shape=(dim,), initializer="glorot_uniform") \
            if self.use_scale else None
        self.concat_score_weight = None
        self.built = True

    def _calculate_scores(self, query: Any, key: Any) -> Any:
        pairs = ops.tanh(ops.expand_dims(query, -2) + ops.expand_dims(key, -3))
        if self.scale is not None:
            pairs = self.scale * pairs
        return ops.sum(pairs, axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["score_mode"]
        return config
