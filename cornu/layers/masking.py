"""``Masking``: marks time steps whose features all equal ``mask_value`` as padding."""

from __future__ import annotations

from typing import Any

from cornu import ops
from cornu.layers.layer import Layer


class Masking(Layer):
    """Masks time steps where every feature equals ``mask_value``.

    Outputs the inputs with those steps set to 0 and a ``(batch, time)`` mask that
    downstream layers (``LSTM``, ``GRU``, ...) use to skip them.

    Example:
        >>> x = np.zeros((2, 4, 3)); x[:, :2] = 1.0
        >>> Masking()(x)._keras_mask.tolist()
        [[True, True, False, False], [True, True, False, False]]
    """

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs: Any) -> Any:
        keep = ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return ops.where(keep, inputs, ops.zeros_like(inputs))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}
