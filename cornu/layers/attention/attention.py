"""``Attention``: dot-product (Luong-style) attention over ``[query, value(, key)]``."""

from __future__ import annotations

from typing import Any

from cornu import ops, random
from cornu.core.keras_tensor import KerasTensor
from cornu.layers.attention import masking
from cornu.layers.attention.multi_head_attention import check_rate
from cornu.layers.layer import Layer


class Attention(Layer):
    """Dot-product attention: ``softmax(query @ key^T) @ value``, as ``keras.layers.Attention``.

    Called on ``[query, value]`` or ``[query, value, key]`` with shapes
    ``(batch, Tq, dim)``, ``(batch, Tv, dim_v)`` and ``(batch, Tv, dim)``; returns
    ``(batch, Tq, dim_v)`` (and the ``(batch, Tq, Tv)`` scores with
    ``return_attention_scores=True``). ``mask=[query_mask, value_mask]``: value positions
    where the mask is False get no weight; query positions where it is False give zeros.

    Args:
        use_scale: learn a scalar ``scale`` multiplying the scores.
        score_mode: ``"dot"`` (``query . key``) or ``"concat"``
            (``concat_score_weight * sum(tanh(scale * (query + key)))``).
        dropout: dropout rate on the attention distribution.
        seed: seed of that dropout.

    Example:
        >>> Attention()([query, value]).shape  # query (2, 4, 8), value (2, 6, 8)
        (2, 4, 8)
    """

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = check_rate(self._where(), dropout)
        self.seed = seed
        self.seed_generator = random.SeedGenerator(seed)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"{self._where()}: invalid value for argument score_mode. Expected "
                             f"one of {{'dot', 'concat'}}. Received: score_mode={score_mode!r}")
        self.supports_masking = True

    def _where(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

    def build(self, input_shape: Any) -> None:
        self._validate_inputs(input_shape)
        self.scale = self.add_weight(name="scale", shape=(), initializer="ones") \
            if self.use_scale else None
        self.concat_score_weight = self.add_weight(
            name="concat_score_weight", shape=(), initializer="ones",
        ) if self.score_mode == "concat" else None
        self.built = True

    def _calculate_scores(self, query: Any, key: Any) -> Any:
        """Scores ``(batch, Tq, Tv)`` of every query against every key."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.swapaxes(key, -2, -1))
            return scores * self.scale if self.scale is not None else scores
        pairs = ops.expand_dims(query, -2) + ops.expand_dims(key, -3)  # (B, Tq, Tv, dim)
        if self.scale is not None:
            pairs = self.scale * pairs
        return self.concat_score_weight * ops.sum(ops.tanh(pairs), axis=-1)

    def _score_mask(self, query_len: int, key_len: int, value_mask: Any,
                    use_causal_mask: bool) -> Any:
        """Where scores count: the value mask ``(B, 1, Tv)`` and the causal band, or None."""
        mask = None if value_mask is None else ops.expand_dims(ops.cast(value_mask, "bool"), -2)
        if use_causal_mask:
            causal = masking.causal_mask(query_len, key_len)
            mask = causal if mask is None else ops.logical_and(mask, causal)
        return mask

    def _apply_scores(self, scores: Any, value: Any, scores_mask: Any = None,
                      training: bool | None = False) -> tuple:
        """Softmax over the keys, dropout, then the weighted sum of ``value``."""
        if scores_mask is not None:
            # Masked scores drop by a large constant (Keras's rule), so they get no weight.
            big = 65504.0 if ops.dtype(scores) == "float16" else 1.0e9
            scores = ops.where(scores_mask, scores, scores - big)
        weights = ops.softmax(scores, axis=-1)
        applied = weights
        if training and self.dropout > 0:
            applied = random.dropout(weights, self.dropout, seed=self.seed_generator)
        return ops.matmul(applied, value), weights

    def _fused(self, query: Any, key: Any, value: Any, scores_mask: Any) -> Any:
        """The dot-mode output through the backend's fused kernel (one head)."""
        if self.scale is not None:
            query = query * self.scale
        bias = None
        if scores_mask is not None:
            big = 65504.0 if ops.dtype(query) == "float16" else 1.0e9
            bias = ops.expand_dims(ops.where(scores_mask, 0.0, -big), 1)  # (B|1, 1, Tq|1, Tv)
            bias = ops.cast(bias, ops.dtype(query))
        out = ops.dot_product_attention(ops.expand_dims(query, 2), ops.expand_dims(key, 2),
                                        ops.expand_dims(value, 2), bias=bias, scale=1.0)
        return ops.squeeze(out, 2)

    def call(self, inputs: list, mask: list | None = None, training: bool | None = False,
             return_attention_scores: bool = False, use_causal_mask: bool = False) -> Any:
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        q_shape, k_shape = ops.shape(query), ops.shape(key)
        if q_shape[-1] != k_shape[-1] or ops.shape(value)[-2] != k_shape[-2]:
            raise ValueError(
                f"{self._where()}: query and key need the same last dimension, and value and "
                f"key the same number of positions. Received: query.shape={tuple(q_shape)}, "
                f"value.shape={tuple(ops.shape(value))}, key.shape={tuple(k_shape)}")
        for name, m, x in (("query_mask", query_mask, query), ("value_mask", value_mask, value)):
            if m is not None:
                masking.check_input_mask(self._where(), name, m, x)
        scores_mask = self._score_mask(q_shape[-2], k_shape[-2], value_mask, use_causal_mask)
        # The fused kernel computes dot scores; a subclass with its own scores keeps them.
        if (self.score_mode == "dot" and not return_attention_scores and len(q_shape) == 3
                and type(self)._calculate_scores is Attention._calculate_scores
                and not (training and self.dropout > 0)):
            output, scores = self._fused(query, key, value, scores_mask), None
        else:
            scores = self._calculate_scores(query, key)
            output, scores = self._apply_scores(scores, value, scores_mask, training)
        if query_mask is not None:
            output = ops.where(ops.expand_dims(ops.cast(query_mask, "bool"), -1), output, 0.0)
        return (output, scores) if return_attention_scores else output

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return ops.convert_to_tensor(mask[0])

    def compute_output_shape(self, input_shape: Any) -> tuple:
        self._validate_inputs(input_shape)
        return (*tuple(input_shape[0])[:-1], tuple(input_shape[1])[-1])

    def compute_output_spec(self, inputs: list, mask: Any = None,
                            return_attention_scores: bool = False, training: bool | None = None,
                            use_causal_mask: bool = False) -> Any:
        self._validate_inputs(inputs, mask)
        key = inputs[2] if len(inputs) > 2 else inputs[1]
        output = KerasTensor(self.compute_output_shape([x.shape for x in inputs]),
                             dtype=self.compute_dtype)
        if not return_attention_scores:
            return output
        return output, KerasTensor((*inputs[0].shape[:-1], key.shape[-2]),
                                   dtype=self.compute_dtype)

    def _validate_inputs(self, inputs: Any, mask: Any = None) -> None:
        if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3:
            raise ValueError(
                f"{self._where()} must be called on a list of inputs, namely [query, value] or "
                f"[query, value, key]. Received: inputs={inputs!r}")
        if mask is not None and (not isinstance(mask, (list, tuple)) or
                                 not 2 <= len(mask) <= 3):
            raise ValueError(f"{self._where()}: the mask must be a list [query_mask, value_mask]"
                             f". Received: mask={mask!r}")

    def get_config(self) -> dict:
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}
