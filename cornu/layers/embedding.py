"""Embedding layers: ``Embedding`` (ids -> vectors) and ``ReversibleEmbedding``."""

from __future__ import annotations

import warnings
from typing import Any

from cornu import constraints, initializers, ops, regularizers
from cornu.layers.core import _maybe_serialize, check_positive_int
from cornu.layers.layer import Layer


class Embedding(Layer):
    """Turns integer ids into dense vectors: row ``i`` of ``embeddings`` for id ``i``.

    With ``mask_zero=True`` id 0 is padding: the layer outputs a mask that is ``False``
    where the id is 0, and recurrent layers downstream skip those steps (``input_dim``
    must then be the vocabulary size + 1). ``input_length`` is accepted and ignored, as
    in Keras 3.

    Example:
        >>> layer = Embedding(1000, 64, mask_zero=True)
        >>> layer(np.array([[4, 2, 0]])).shape
        (1, 3, 64)
    """

    def __init__(self, input_dim: int, output_dim: int,
                 embeddings_initializer: Any = "uniform", embeddings_regularizer: Any = None,
                 embeddings_constraint: Any = None, mask_zero: bool = False,
                 weights: Any = None, lora_rank: int | None = None,
                 lora_alpha: float | None = None, **kwargs: Any) -> None:
        if kwargs.pop("input_length", None) is not None:
            warnings.warn("Argument `input_length` is deprecated. Just remove it.", stacklevel=2)
        super().__init__(**kwargs)
        self.input_dim = check_positive_int(type(self).__name__, "input_dim", input_dim)
        self.output_dim = check_positive_int(type(self).__name__, "output_dim", output_dim)
        if lora_rank:
            raise NotImplementedError(f"{type(self).__name__}(lora_rank=...) is not supported "
                                      "yet.")
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.autocast = False  # ids stay integers
        if weights is not None:
            self.build()
            self.set_weights(weights if isinstance(weights, list) and len(weights) == 1
                             else [weights])

    def build(self, input_shape: Any = None) -> None:
        if self.built:
            return
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim), initializer=self.embeddings_initializer,
            name="embeddings", regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs: Any) -> Any:
        dtype = ops.dtype(inputs)
        if dtype not in ("int32", "int64"):
            inputs = ops.cast(inputs, "int32")
        return ops.cast(ops.take(self.embeddings, inputs, axis=0), self.compute_dtype)

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape, self.output_dim)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": _maybe_serialize(self.embeddings_regularizer),
            "activity_regularizer": _maybe_serialize(self.activity_regularizer),
            "embeddings_constraint": _maybe_serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
        }


class ReversibleEmbedding(Embedding):
    """An ``Embedding`` that can also project back from ``output_dim`` to ``input_dim``.

    ``layer(ids)`` embeds; ``layer(hidden, reverse=True)`` returns logits
    ``hidden @ embeddings.T`` (tied weights, the default) or ``hidden @ reverse_embeddings``
    with ``tie_weights=False``. ``logit_soft_cap`` caps the logits with
    ``tanh(logits / cap) * cap``.

    Example:
        >>> emb = ReversibleEmbedding(100, 32)
        >>> logits = emb(emb(np.array([[1, 2]])), reverse=True)  # shape (1, 2, 100)
    """

    def __init__(self, input_dim: int, output_dim: int, tie_weights: bool = True,
                 embeddings_initializer: Any = "uniform", embeddings_regularizer: Any = None,
                 embeddings_constraint: Any = None, mask_zero: bool = False,
                 reverse_dtype: Any = None, logit_soft_cap: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape: Any = None) -> None:
        if self.built:
            return
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer, name="reverse_embeddings")

    def call(self, inputs: Any, reverse: bool = False) -> Any:
        if not reverse:
            outputs = super().call(inputs)
            if self.mask_zero:
                # compute_mask is None (it cannot tell the two directions apart), so the
                # forward direction attaches its mask itself, as Keras does.
                outputs._keras_mask = ops.not_equal(inputs, 0)
            return outputs
        kernel = ops.transpose(self.embeddings) if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            inputs = ops.cast(inputs, self.reverse_dtype)
            kernel = ops.cast(kernel, self.reverse_dtype)
        logits = ops.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = ops.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        return None

    def compute_output_shape(self, input_shape: tuple, reverse: bool = False) -> tuple:
        if reverse:
            return (*tuple(input_shape)[:-1], self.input_dim)
        return (*input_shape, self.output_dim)

    def compute_output_spec(self, inputs: Any, reverse: bool = False) -> Any:
        from cornu.core.keras_tensor import KerasTensor

        return KerasTensor(self.compute_output_shape(inputs.shape, reverse=reverse),
                           dtype=self.compute_dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype, "logit_soft_cap": self.logit_soft_cap}
