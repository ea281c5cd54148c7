"""``GroupQueryAttention``: query heads share fewer key/value heads (GQA, MQA)."""

from __future__ import annotations

import math
from typing import Any

from cornu import config, constraints, initializers, ops, regularizers
from cornu.core.keras_tensor import KerasTensor
from cornu.layers.attention import masking
from cornu.layers.attention.multi_head_attention import as_input, check_rate, zero_unattended_rows
from cornu.layers.core import _maybe_serialize, check_positive_int
from cornu.layers.einsum_dense import EinsumDense
from cornu.layers.layer import Layer
from cornu.layers.regularization import Dropout


class GroupedQueryAttention(Layer):
    """Grouped-query attention (Ainslie et al., 2023), as ``keras.layers.GroupQueryAttention``.

    ``num_query_heads`` query heads attend through ``num_key_value_heads`` shared key/value
    heads (1 is multi-query attention; ``num_query_heads`` is multi-head attention). Query
    head ``i`` uses key/value head ``i // (num_query_heads // num_key_value_heads)``.
    Sublayers ``query``, ``key``, ``value`` and ``attention_output`` are ``EinsumDense``
    with Keras's kernels, e.g. ``(dim, num_query_heads, head_dim)`` for ``query``. Without
    score output and outside training-time dropout the fused kernel runs, on the shared
    heads directly.

    Keras's class is ``GroupedQueryAttention``, exported (and serialized) as
    ``GroupQueryAttention``; both names work here.

    Example:
        >>> gqa = GroupQueryAttention(head_dim=64, num_query_heads=8, num_key_value_heads=2)
        >>> gqa(x, x).shape  # x: (batch, seq, 512)
        (4, 16, 512)
    """

    _keras_class_name = "GroupQueryAttention"  # the name Keras writes in saved configs

    def __init__(self, head_dim: int, num_query_heads: int, num_key_value_heads: int,
                 dropout: float = 0.0, use_bias: bool = True, sliding_window: int | None = None,
                 flash_attention: bool | None = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 use_gate: bool = False, seed: int | None = None, **kwargs: Any) -> None:
        where = type(self).__name__
        for arg, value in (("head_dim", head_dim), ("num_query_heads", num_query_heads),
                           ("num_key_value_heads", num_key_value_heads)):
            check_positive_int(where, arg, value)
        super().__init__(**kwargs)
        if num_query_heads % num_key_value_heads:
            raise ValueError(
                f"{self._where()}: `num_query_heads` must be divisible by "
                f"`num_key_value_heads`. Received: num_query_heads={num_query_heads}, "
                f"num_key_value_heads={num_key_value_heads}")
        self.supports_masking = True
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = check_rate(self._where(), dropout)
        self.use_bias = use_bias
        self.use_gate = use_gate
        if sliding_window is not None:
            check_positive_int(where, "sliding_window", sliding_window)
        self.sliding_window = sliding_window
        self._flash_attention = flash_attention or config.is_flash_attention_enabled()
        if self._flash_attention and self.dropout > 0.0:
            raise ValueError(f"{self._where()}: dropout is not supported when flash attention "
                             "is enabled. Set dropout=0.0 or flash_attention=None.")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(head_dim))

    def _where(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

    def _dense(self, equation: str, output_shape: tuple, bias_axes: str, name: str,
               **extra: Any) -> EinsumDense:
        return EinsumDense(
            equation, output_shape=output_shape, bias_axes=bias_axes if self.use_bias else None,
            name=name, kernel_initializer=self.kernel_initializer.__class__.from_config(
                self.kernel_initializer.get_config()),
            bias_initializer=self.bias_initializer.__class__.from_config(
                self.bias_initializer.get_config()),
            kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
            activity_regularizer=self._activity_regularizer,
            kernel_constraint=self.kernel_constraint, bias_constraint=self.bias_constraint,
            dtype=self.dtype_policy, **extra)

    def build(self, query_shape: tuple, value_shape: tuple, key_shape: tuple | None = None
              ) -> None:
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_ranks(query_shape, value_shape, key_shape)
        self.feature_dim = query_shape[-1]
        heads, kv_heads, dim = self.num_query_heads, self.num_key_value_heads, self.head_dim
        self._query_dense = self._dense("bqm,muh->bquh", (None, heads, dim), "uh", "query")
        self._query_dense.build(query_shape)
        self._key_dense = self._dense("bkm,mvh->bkvh", (None, kv_heads, dim), "vh", "key")
        self._key_dense.build(key_shape)
        if self.use_gate:
            self._gate_dense = self._dense("bqm,muh->bquh", (None, heads, dim), "uh", "gate",
                                           activation="sigmoid")
            self._gate_dense.build(query_shape)
        self._value_dense = self._dense("bkm,mvh->bkvh", (None, kv_heads, dim), "vh", "value")
        self._value_dense.build(value_shape)
        self._dropout_layer = Dropout(rate=self.dropout, seed=self.seed, dtype=self.dtype_policy)
        self._dot_product_equation = "bquh,bkuh->buqk"
        self._combine_equation = "buqk,bkuh->bquh"
        self._output_dense = self._dense("bquh,uhm->bqm", (None, self.feature_dim), "m",
                                         "attention_output")
        self._output_dense.build((None, None, heads, dim))
        self._dims = (query_shape[-1], value_shape[-1], key_shape[-1])
        self.built = True

    def _check_ranks(self, query_shape: tuple, value_shape: tuple, key_shape: tuple) -> None:
        if not len(query_shape) == len(value_shape) == len(key_shape) == 3:
            raise ValueError(
                f"{self._where()}: query, value and key must be 3-D (batch, sequence, "
                f"features). Received: query_shape={query_shape}, value_shape={value_shape}, "
                f"key_shape={key_shape}")
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                f"{self._where()}: all dimensions of `value` and `key`, except the last one, "
                f"must be equal. Received: value_shape={value_shape} and key_shape={key_shape}")

    def call(self, query: Any, value: Any, key: Any = None, query_mask: Any = None,
             value_mask: Any = None, key_mask: Any = None, attention_mask: Any = None,
             return_attention_scores: bool = False, training: bool | None = None,
             use_causal_mask: bool = False) -> Any:
        if query_mask is None:
            query_mask = getattr(query, "_keras_mask", None)
        if value_mask is None:
            value_mask = getattr(value, "_keras_mask", None)
        if key_mask is None and key is not None:
            key_mask = getattr(key, "_keras_mask", None)
        value = as_input(self, value)
        key = value if key is None else as_input(self, key)
        q, v, k = (tuple(ops.shape(t)) for t in (query, value, key))
        self._check_ranks(q, v, k)
        if (q[-1], v[-1], k[-1]) != self._dims or not q[0] == v[0] == k[0]:
            raise ValueError(
                f"{self._where()} was built for query, value and key with last dimensions "
                f"{self._dims} and expects one batch size for all three. Received: "
                f"query.shape={q}, value.shape={v}, key.shape={k}")
        causal_only = (use_causal_mask and query_mask is None and value_mask is None
                       and key_mask is None and attention_mask is None
                       and self.sliding_window is None
                       and type(self)._compute_attention
                       is GroupedQueryAttention._compute_attention)
        if not causal_only:
            attention_mask = masking.merge_masks(
                self._where(), query, value, key, query_mask, value_mask, key_mask,
                attention_mask, use_causal_mask, self.sliding_window)
        gate = self._gate_dense(query) if self.use_gate else None
        query = self._query_dense(query)
        key = self._key_dense(key)
        value = self._value_dense(value)
        self._return_attention_scores = return_attention_scores
        extra = {"use_causal_mask": True} if causal_only else {}
        output, scores = self._compute_attention(query, key, value, attention_mask=attention_mask,
                                                 training=training, **extra)
        output = self._output_dense(output * gate if gate is not None else output)
        return (output, scores) if return_attention_scores else output

    def _compute_attention(self, query: Any, key: Any, value: Any, attention_mask: Any = None,
                           training: bool | None = None, use_causal_mask: bool = False) -> tuple:
        """Attention on projected ``(B, T, heads, H)`` query and ``(B, S, kv_heads, H)`` key/value.

        Returns (output, scores or None); scores are ``(B, heads, T, S)``.
        """
        return_scores = getattr(self, "_return_attention_scores", False)
        if self._flash_attention and return_scores:
            raise ValueError(f"{self._where()}: returning attention scores is not supported "
                             "when flash attention is enabled. Set flash_attention=None.")
        q_shape, k_shape = ops.shape(query), ops.shape(key)
        scores_shape = (q_shape[0], self.num_query_heads, q_shape[1], k_shape[1])
        if attention_mask is not None:
            attention_mask = masking.expand_mask(self._where(), attention_mask, scores_shape, 1)
        if not return_scores and not (training and self.dropout > 0.0):
            # The kernel pairs query head i with key/value head i // num_repeats itself.
            output = ops.dot_product_attention(
                query, key, value, mask=attention_mask, scale=self._inverse_sqrt_head_dim,
                is_causal=use_causal_mask, flash_attention=self._flash_attention)
            if self.dropout > 0.0 and attention_mask is not None:
                output = zero_unattended_rows(output, attention_mask)
            return output, None
        key = ops.repeat(key, self.num_repeats, axis=2)
        value = ops.repeat(value, self.num_repeats, axis=2)
        if use_causal_mask:
            causal = ops.expand_dims(masking.causal_mask(q_shape[1], k_shape[1]), 1)
            attention_mask = causal if attention_mask is None else \
                ops.logical_and(attention_mask, causal)
        query = query * self._inverse_sqrt_head_dim
        scores = self._masked_softmax(ops.einsum(self._dot_product_equation, query, key),
                                      attention_mask)
        probs = self._dropout_layer(scores, training=training) if self.dropout > 0.0 else scores
        return ops.einsum(self._combine_equation, probs, value), scores

    def _masked_softmax(self, scores: Any, attention_mask: Any = None) -> Any:
        """Softmax over the keys of ``(B, heads, T, S)`` scores; masked keys get zero weight."""
        if attention_mask is not None:
            attention_mask = masking.expand_mask(self._where(), attention_mask,
                                                 tuple(ops.shape(scores)), 1)
        return masking.masked_softmax(scores, attention_mask)

    def compute_output_shape(self, query_shape: tuple, value_shape: tuple,
                             key_shape: tuple | None = None) -> tuple:
        key_shape = value_shape if key_shape is None else key_shape
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(
                f"{self._where()}: the last dimension of `query_shape` and `value_shape` must "
                f"be equal, but are {query_shape[-1]}, {value_shape[-1]}. Received: "
                f"query_shape={tuple(query_shape)}, value_shape={tuple(value_shape)}")
        self._check_ranks(tuple(query_shape), tuple(value_shape), tuple(key_shape))
        return tuple(query_shape)

    def compute_output_spec(self, query: Any, value: Any, key: Any = None, query_mask: Any = None,
                            value_mask: Any = None, key_mask: Any = None,
                            attention_mask: Any = None, return_attention_scores: bool = False,
                            training: bool | None = None, use_causal_mask: bool = False) -> Any:
        key = value if key is None else key
        output = KerasTensor(self.compute_output_shape(query.shape, value.shape, key.shape),
                             dtype=self.compute_dtype)
        if not return_attention_scores:
            return output
        scores = (query.shape[0], self.num_query_heads, query.shape[1], key.shape[1])
        return output, KerasTensor(scores, dtype=self.compute_dtype)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "use_bias": self.use_bias,
            "use_gate": self.use_gate,
            "sliding_window": self.sliding_window,
            "dropout": self.dropout,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": _maybe_serialize(self.kernel_regularizer),
            "bias_regularizer": _maybe_serialize(self.bias_regularizer),
            "activity_regularizer": _maybe_serialize(self._activity_regularizer),
            "kernel_constraint": _maybe_serialize(self.kernel_constraint),
            "bias_constraint": _maybe_serialize(self.bias_constraint),
            "seed": self.seed,
        }


GroupQueryAttention = GroupedQueryAttention  # the name keras.layers exports

