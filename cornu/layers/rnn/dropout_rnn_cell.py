"""``DropoutRNNCell``: the dropout masks a recurrent cell reuses at every step of a batch."""

from __future__ import annotations

from typing import Any

from cornu import ops, random


class DropoutRNNCell:
    """Mixin for cells with ``dropout``/``recurrent_dropout`` and a ``seed_generator``.

    Keras draws one mask per batch and applies it at every time step; the ``RNN`` layer
    clears the masks after each call (``reset_dropout_mask``). ``dropout_mask_count``
    (set by LSTM/GRU cells when recurrent dropout is on) asks for one mask per gate.
    """

    dropout_mask_count: int | None = None

    def _create_dropout_mask(self, step_input: Any, rate: float) -> Any:
        ones = ops.ones_like(step_input)
        if self.dropout_mask_count is None:
            return random.dropout(ones, rate=rate, seed=self.seed_generator)
        return [random.dropout(ones, rate=rate, seed=self.seed_generator)
                for _ in range(self.dropout_mask_count)]

    def get_dropout_mask(self, step_input: Any) -> Any:
        """The input mask for this batch, drawn on first use."""
        if getattr(self, "_dropout_mask", None) is None and self.dropout > 0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_input: Any) -> Any:
        """The mask on the previous state for this batch, drawn on first use."""
        if getattr(self, "_recurrent_dropout_mask", None) is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(step_input,
                                                                     self.recurrent_dropout)
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self) -> None:
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        self._recurrent_dropout_mask = None
