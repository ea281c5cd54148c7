"""``SwapEMAWeights``: evaluate (and optionally checkpoint) with the optimizer's EMA weights."""

from __future__ import annotations

from cornu import backend, ops
from cornu.callbacks.callback import Callback
from cornu.ops import foreach


class SwapEMAWeights(Callback):
    """Swaps the model's weights with the optimizer's exponential moving averages before
    evaluation and back after it; needs an optimizer with ``use_ema=True``.

    Args:
        swap_on_epoch: also hold the EMA weights in the model from ``on_epoch_end`` to
            the next ``on_epoch_begin``, so callbacks after this one (e.g.
            ``ModelCheckpoint``) see them.

    Example:
        >>> model.compile(optimizer=cornu.optimizers.SGD(use_ema=True), loss="mse")
        >>> model.fit(x, y, validation_split=0.2, callbacks=[SwapEMAWeights()])
    """

    def __init__(self, swap_on_epoch: bool = False) -> None:
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _check(self) -> bool:
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not getattr(optimizer, "use_ema", False):
            raise ValueError("SwapEMAWeights must be used when `use_ema=True` is set for the "
                             "optimizer. Received: use_ema="
                             f"{getattr(optimizer, 'use_ema', None)}")
        return optimizer.built

    def _swap(self) -> None:
        if not self._check():
            return  # no step yet: no averages to swap
        optimizer = self.model.optimizer
        variables = list(optimizer._trainable_variables)
        averages = optimizer.slots("_ema", variables)
        with backend.no_grad():
            saved = [ops.copy(v) for v in variables]
            foreach.copy_(variables, averages)
            foreach.copy_(averages, saved)
        self._ema_weights_in_model = not self._ema_weights_in_model

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._check()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap()

    def on_test_begin(self, logs: dict | None = None) -> None:
        if not self._ema_weights_in_model:
            self._swap()

    def on_test_end(self, logs: dict | None = None) -> None:
        if self._ema_weights_in_model:
            self._swap()

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self.on_test_begin(logs)

    def on_predict_end(self, logs: dict | None = None) -> None:
        self.on_test_end(logs)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._ema_weights_in_model:
            self._swap()
