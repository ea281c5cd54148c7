"""``MultiHeadAttention``: scaled dot-product attention over several projected heads."""

from __future__ import annotations

import math
import string
from typing import Any

from cornu import config, constraints, initializers, ops, regularizers
from cornu.core.keras_tensor import KerasTensor
from cornu.layers.attention import masking
from cornu.layers.core import _maybe_serialize, check_positive_int
from cornu.layers.einsum_dense import EinsumDense
from cornu.layers.layer import Layer
from cornu.layers.regularization import Dropout


def projection_equation(free_dims: int, bound_dims: int, output_dims: int) -> tuple[str, str]:
    """``("abc,cde->abde", "de")`` style equation and bias axes for a head projection.

    ``free_dims`` axes pass through, ``bound_dims`` are contracted with the kernel and
    ``output_dims`` come from the kernel (and get the bias).
    """
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims:free_dims + bound_dims]
    out = letters[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}", out


def attention_equations(rank: int, attention_axes: tuple) -> tuple[str, str]:
    """Einsum equations of the scores and of their combination with the values.

    Projected tensors are ``(batch, <other axes>, <attention axes>, heads, channels)``; the
    scores are ``(batch, <other axes>, heads, <query attention axes>, <key attention axes>)``.
    """
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch_axes = [i for i in range(rank - 1) if i not in attention_axes]
    source = list(target)
    for n, axis in enumerate(attention_axes):
        source[axis] = letters[rank + n]
    source = "".join(source)
    scores = "".join([target[i] for i in batch_axes] + [target[i] for i in attention_axes]
                     + [source[i] for i in attention_axes])
    return f"{source},{target}->{scores}", f"{scores},{source}->{target}"


class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al., 2017), with Keras's weights and semantics.

    ``query``, ``key`` and ``value`` are projected to ``num_heads`` heads by ``EinsumDense``
    sublayers named ``query``, ``key``, ``value`` (kernels ``(dim, num_heads, key_dim)``),
    attended, and projected back by ``attention_output``. Without score output and outside
    training-time dropout, a 3-D (one attention axis) call runs the backend's fused
    attention kernel; otherwise the explicit einsum/softmax path runs. Both give the same
    numbers, including Keras's quirk for fully masked query rows (a uniform average on the
    fused path when ``dropout == 0``, zeros otherwise).

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value; defaults to ``key_dim``.
        dropout: dropout rate on the attention probabilities.
        use_bias: whether the projections have biases.
        output_shape: output shape besides batch and sequence axes; defaults to the
            query's last dimension.
        attention_axes: query axes attention runs over; default all but batch and features.
        sliding_window: if set, each query attends only to keys within ``window - 1``.
        flash_attention: ``True`` forces the flash kernel (error if it cannot run).
        use_gate: multiply the attention output by a sigmoid gate projected from the query.
        seed: seed of the attention dropout.

    Example:
        >>> mha = MultiHeadAttention(num_heads=8, key_dim=32)
        >>> mha(x, x, use_causal_mask=True).shape  # x: (batch, seq, 256)
        (32, 128, 256)
    """

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None,
                 dropout: float = 0.0, use_bias: bool = True, output_shape: Any = None,
                 attention_axes: Any = None, sliding_window: int | None = None,
                 flash_attention: bool | None = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 use_gate: bool = False, seed: int | None = None, **kwargs: Any) -> None:
        where = type(self).__name__
        check_positive_int(where, "num_heads", num_heads)
        check_positive_int(where, "key_dim", key_dim)
        if value_dim is not None:
            check_positive_int(where, "value_dim", value_dim)
        super().__init__(**kwargs)
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim or key_dim
        self._dropout = check_rate(self._where(), dropout)
        self._use_bias = use_bias
        self._use_gate = use_gate
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            if not isinstance(output_shape, (list, tuple)):
                raise ValueError(f"{self._where()}: `output_shape` must be an int, list or "
                                 f"tuple. Received: output_shape={output_shape!r}")
            output_shape = tuple(output_shape)
        self._output_shape = output_shape or None
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(f"{self._where()}: `attention_axes` must be an int, list or tuple. "
                             f"Received: attention_axes={attention_axes!r}")
        self._attention_axes = tuple(attention_axes) if attention_axes else None
        if sliding_window is not None:
            check_positive_int(where, "sliding_window", sliding_window)
        self._sliding_window = sliding_window
        self._flash_attention = flash_attention or config.is_flash_attention_enabled()
        if self._flash_attention and self._dropout > 0.0:
            raise ValueError(f"{self._where()}: dropout is not supported when flash attention "
                             "is enabled. Set dropout=0.0 or flash_attention=None.")
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))

    def _where(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)
    # The projections live at Keras's public names (the paths of their weights in .keras
    # files); the private names serve subclasses written against Keras's internals.
    _query_dense = property(lambda self: self.query_dense)
    _key_dense = property(lambda self: self.key_dense)
    _value_dense = property(lambda self: self.value_dense)
    _output_dense = property(lambda self: self.output_dense)

    # --- build ----------------------------------------------------------------------------
    def _sublayer_kwargs(self) -> dict:
        # Fresh initializer objects per sublayer, so seeded ones don't repeat their draws.
        return dict(
            kernel_initializer=self._kernel_initializer.__class__.from_config(
                self._kernel_initializer.get_config()),
            bias_initializer=self._bias_initializer.__class__.from_config(
                self._bias_initializer.get_config()),
            kernel_regularizer=self._kernel_regularizer, bias_regularizer=self._bias_regularizer,
            activity_regularizer=self._activity_regularizer,
            kernel_constraint=self._kernel_constraint, bias_constraint=self._bias_constraint,
            dtype=self.dtype_policy)

    def _projection(self, rank: int, heads_dim: int, name: str, **extra: Any) -> EinsumDense:
        equation, bias_axes = projection_equation(rank - 1, 1, 2)
        return EinsumDense(equation, output_shape=(None,) * (rank - 2) + (self._num_heads,
                                                                          heads_dim),
                           bias_axes=bias_axes if self._use_bias else None, name=name,
                           **extra, **self._sublayer_kwargs())

    def build(self, query_shape: tuple, value_shape: tuple, key_shape: tuple | None = None
              ) -> None:
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        rank = len(query_shape)
        self._attention_axes = self._normalized_axes(rank)
        self.query_dense = self._projection(rank, self._key_dim, "query")
        self.query_dense.build(query_shape)
        self.key_dense = self._projection(rank, self._key_dim, "key")
        self.key_dense.build(key_shape)
        if self._use_gate:
            self._gate_dense = self._projection(rank, self._value_dim, "gate",
                                                activation="sigmoid")
            self._gate_dense.build(query_shape)
        self.value_dense = self._projection(rank, self._value_dim, "value")
        self.value_dense.build(value_shape)
        self._dot_product_equation, self._combine_equation = attention_equations(
            rank + 1, self._attention_axes)
        self._dropout_layer = Dropout(rate=self._dropout, seed=self.seed,
                                      dtype=self.dtype_policy)
        output_shape = self._output_shape or (query_shape[-1],)
        equation, bias_axes = projection_equation(rank - 1, 2, len(output_shape))
        self.output_dense = EinsumDense(
            equation, output_shape=(None,) * (rank - 2) + tuple(output_shape),
            bias_axes=bias_axes if self._use_bias else None, name="attention_output",
            **self._sublayer_kwargs())
        self.output_dense.build(query_shape[:-1] + (self._num_heads, self._value_dim))
        self._dims = (query_shape[-1], value_shape[-1], key_shape[-1])
        self.built = True

    def _check_shapes(self, query_shape: tuple, value_shape: tuple, key_shape: tuple) -> None:
        if len(query_shape) < 3 or len(value_shape) != len(query_shape) or \
                len(key_shape) != len(query_shape):
            raise ValueError(
                f"{self._where()}: query, value and key must have the same rank, at least 3 "
                "(batch, positions..., features). Received: "
                f"query_shape={query_shape}, value_shape={value_shape}, key_shape={key_shape}")
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                f"{self._where()}: all dimensions of `value` and `key`, except the last one, "
                f"must be equal. Received: value_shape={value_shape} and key_shape={key_shape}")

    def _normalized_axes(self, rank: int) -> tuple:
        if self._attention_axes is None:
            return tuple(range(1, rank - 1))
        axes = tuple(a + rank if a < 0 else a for a in self._attention_axes)
        if any(not 1 <= a <= rank - 2 for a in axes) or len(set(axes)) != len(axes):
            raise ValueError(
                f"{self._where()}: `attention_axes` must name distinct axes of the query other "
                f"than the batch (0) and feature ({rank - 1}) axes, i.e. values in "
                f"[1, {rank - 2}] or [{1 - rank}, -2] for inputs of rank {rank}. Received: "
                f"attention_axes={self._attention_axes}")
        return tuple(sorted(axes))

    # --- call -----------------------------------------------------------------------------
    def call(self, query: Any, value: Any, key: Any = None, query_mask: Any = None,
             value_mask: Any = None, key_mask: Any = None, attention_mask: Any = None,
             return_attention_scores: bool = False, training: bool | None = None,
             use_causal_mask: bool = False) -> Any:
        # Keras masks ride on the inputs; an explicit *_mask argument takes precedence.
        if query_mask is None:
            query_mask = getattr(query, "_keras_mask", None)
        if value_mask is None:
            value_mask = getattr(value, "_keras_mask", None)
        if key_mask is None and key is not None:
            key_mask = getattr(key, "_keras_mask", None)
        value = as_input(self, value)
        key = value if key is None else as_input(self, key)
        self._check_call_shapes(query, value, key)
        # A causal mask alone goes to the kernel as a flag instead of a (T, S) tensor.
        causal_only = (use_causal_mask and query_mask is None and value_mask is None
                       and key_mask is None and attention_mask is None
                       and self._sliding_window is None
                       and type(self)._compute_attention is MultiHeadAttention._compute_attention)
        if not causal_only:
            attention_mask = masking.merge_masks(
                self._where(), query, value, key, query_mask, value_mask, key_mask,
                attention_mask, use_causal_mask, self._sliding_window)
        gate = self._gate_dense(query) if self._use_gate else None
        query = self.query_dense(query)
        key = self.key_dense(key)
        value = self.value_dense(value)
        extra = {"use_causal_mask": True} if causal_only else {}
        output, scores = self._compute_attention(
            query, key, value, attention_mask, training, return_attention_scores, **extra)
        output = self.output_dense(output * gate if gate is not None else output)
        return (output, scores) if return_attention_scores else output

    def _check_call_shapes(self, query: Any, value: Any, key: Any) -> None:
        q, v, k = (tuple(ops.shape(t)) for t in (query, value, key))
        self._check_shapes(q, v, k)
        if (q[-1], v[-1], k[-1]) != self._dims or not q[0] == v[0] == k[0]:
            raise ValueError(
                f"{self._where()} was built for query, value and key with last dimensions "
                f"{self._dims} and expects one batch size for all three. Received: "
                f"query.shape={q}, value.shape={v}, key.shape={k}")

    def _scores_shape(self, query: Any, key: Any) -> tuple:
        q, k = ops.shape(query), ops.shape(key)
        axes = self._attention_axes
        batch = [q[i] for i in range(len(q) - 2) if i not in axes]
        return tuple(batch + [self._num_heads] + [q[i] for i in axes] + [k[i] for i in axes])

    def _compute_attention(self, query: Any, key: Any, value: Any, attention_mask: Any = None,
                           training: bool | None = None, return_attention_scores: bool = False,
                           use_causal_mask: bool = False) -> tuple:
        """Attention on projected ``(B, T, N, H)`` tensors; returns (output, scores or None).

        Subclasses may override it, with this signature, to change the attention itself.
        """
        if self._flash_attention and return_attention_scores:
            raise ValueError(f"{self._where()}: returning attention scores is not supported "
                             "when flash attention is enabled. Set flash_attention=None.")
        scores_shape = self._scores_shape(query, key)
        num_axes = len(self._attention_axes)
        if attention_mask is not None:
            attention_mask = masking.expand_mask(self._where(), attention_mask, scores_shape,
                                                 num_axes)
        dropout_active = bool(training) and self._dropout > 0.0
        if not return_attention_scores and not dropout_active and len(ops.shape(query)) == 4:
            output = ops.dot_product_attention(
                query, key, value, mask=attention_mask, scale=self._inverse_sqrt_key_dim,
                is_causal=use_causal_mask, flash_attention=self._flash_attention)
            if self._dropout > 0.0 and attention_mask is not None:
                # Keras takes its explicit path whenever dropout > 0, where a fully masked
                # query row yields zeros rather than the fused kernel's uniform average.
                output = zero_unattended_rows(output, attention_mask)
            return output, None
        if use_causal_mask:
            causal = masking.causal_mask(ops.shape(query)[1], ops.shape(key)[1])
            causal = masking.expand_mask(self._where(), causal, scores_shape, num_axes)
            attention_mask = causal if attention_mask is None else \
                ops.logical_and(attention_mask, causal)
        query = query * self._inverse_sqrt_key_dim
        scores = self._masked_softmax(ops.einsum(self._dot_product_equation, key, query),
                                      attention_mask)
        probs = self._dropout_layer(scores, training=training) if self._dropout > 0.0 \
            else scores
        return ops.einsum(self._combine_equation, probs, value), scores

    def _masked_softmax(self, attention_scores: Any, attention_mask: Any = None) -> Any:
        """Softmax over the key attention axes; masked positions get zero weight."""
        num_axes = len(self._attention_axes)
        if attention_mask is not None:
            attention_mask = masking.expand_mask(self._where(), attention_mask,
                                                 tuple(ops.shape(attention_scores)), num_axes)
        rank = len(ops.shape(attention_scores))
        axis = tuple(range(rank - num_axes, rank)) if num_axes > 1 else -1
        return masking.masked_softmax(attention_scores, attention_mask, axis)

    def compute_output_shape(self, query_shape: tuple, value_shape: tuple,
                             key_shape: tuple | None = None) -> tuple:
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        if self._output_shape:
            return query_shape[:-1] + self._output_shape
        return query_shape

    def compute_output_spec(self, query: Any, value: Any, key: Any = None, query_mask: Any = None,
                            value_mask: Any = None, key_mask: Any = None,
                            attention_mask: Any = None, return_attention_scores: bool = False,
                            training: bool | None = None, use_causal_mask: bool = False) -> Any:
        key = value if key is None else key
        output = KerasTensor(self.compute_output_shape(query.shape, value.shape, key.shape),
                             dtype=self.compute_dtype)
        if not return_attention_scores:
            return output
        rank = len(query.shape)
        axes = self._normalized_axes(rank)
        batch = [query.shape[i] for i in range(rank - 1) if i not in axes]
        shape = batch + [self._num_heads] + [query.shape[i] for i in axes] + \
            [key.shape[i] for i in axes]
        return output, KerasTensor(shape, dtype=self.compute_dtype)

    @classmethod
    def from_config(cls, config: dict) -> "MultiHeadAttention":
        """Also reads tf.keras 2 configs, which carry the build shapes (and build from them)."""
        config = dict(config)
        shapes = [config.pop(key, None) for key in ("query_shape", "value_shape", "key_shape")]
        layer = super().from_config(config)
        if shapes[0] is not None and shapes[1] is not None:
            layer.build(*[tuple(s) if s is not None else None for s in shapes])
        return layer

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            "kernel_initializer": initializers.serialize(self._kernel_initializer),
            "bias_initializer": initializers.serialize(self._bias_initializer),
            "kernel_regularizer": _maybe_serialize(self._kernel_regularizer),
            "bias_regularizer": _maybe_serialize(self._bias_regularizer),
            "activity_regularizer": _maybe_serialize(self._activity_regularizer),
            "kernel_constraint": _maybe_serialize(self._kernel_constraint),
            "bias_constraint": _maybe_serialize(self._bias_constraint),
            "seed": self.seed,
        }


def zero_unattended_rows(output: Any, mask: Any) -> Any:
    """Zeros the output ``(B, T, N, H)`` of query rows whose ``(B, N, T, S)`` mask is all False."""
    attended = ops.any(mask, axis=-1)  # (B|1, N|1, T)
    attended = ops.expand_dims(ops.swapaxes(attended, 1, 2), -1)  # (B|1, T, N|1, 1)
    return ops.where(attended, output, 0.0)


def as_input(layer: Layer, x: Any) -> Any:
    """Converts a second or third input as the base class converts the first (autocast)."""
    x = ops.convert_to_tensor(x)
    if layer.autocast and ops.dtype(x) != layer.compute_dtype and \
            ops.dtype(x) in ("float16", "bfloat16", "float32", "float64"):
        x = ops.cast(x, layer.compute_dtype)
    return x


def check_rate(where: str, rate: Any) -> float:
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise ValueError(f"{where}: `dropout` must be a float in [0, 1). Received: "
                         f"dropout={rate!r}")
    return float(rate)
