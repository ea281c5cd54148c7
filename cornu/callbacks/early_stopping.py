"""``EarlyStopping``: stop training when a monitored quantity has stopped improving."""

from __future__ import annotations

from typing import Any

from cornu.callbacks.monitor_callback import MonitorCallback


class EarlyStopping(MonitorCallback):
    """Stops ``fit`` when ``monitor`` has not improved for ``patience`` epochs.

    Args:
        monitor: the quantity to watch (a key of the epoch logs).
        min_delta: the smallest change counted as an improvement.
        patience: epochs without improvement after which training stops.
        verbose: 1 prints a message when stopping and when weights are restored.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (from the metric's name).
        baseline: training stops if the model does not improve on this value within
            ``patience`` epochs.
        restore_best_weights: at the end of training, restore the weights of the epoch
            with the best value of ``monitor``.
        start_from_epoch: epochs of warm-up before improvement is watched.

    Example:
        >>> callback = EarlyStopping(monitor="val_loss", patience=3)
        >>> model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[callback])
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: Any = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0) -> None:
        super().__init__(monitor, mode, baseline=baseline, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self._monitored_value(
            logs, f"Early stopping conditioned on metric `{self.monitor}` which is not "
                  "available.")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: dict | None) -> Any:
        return (logs or {}).get(self.monitor)
