"""``LearningRateScheduler``: set the learning rate at the start of each epoch."""

from __future__ import annotations

import numbers
from typing import Callable

from cornu import ops
from cornu.callbacks.callback import Callback


def current_learning_rate(model) -> float:
    """The optimizer's learning rate as a Python float."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError('Optimizer must have a "learning_rate" attribute.')
    return float(ops.convert_to_numpy(optimizer.learning_rate))


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate to ``schedule(epoch, lr)`` before each epoch
    (``schedule(epoch)`` is accepted too), and logs it as ``learning_rate``.

    Args:
        schedule: a function of the epoch index (from 0) and the current learning rate
            that returns the new learning rate.
        verbose: 1 prints the new learning rate at each epoch.

    Example:
        >>> def schedule(epoch, lr):
        ...     return lr if epoch < 10 else lr * 0.9
        >>> model.fit(x, y, epochs=15, callbacks=[LearningRateScheduler(schedule)])
    """

    def __init__(self, schedule: Callable, verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        lr = current_learning_rate(self.model)
        try:
            lr = self.schedule(epoch, lr)
        except TypeError:  # a schedule of the epoch alone
            lr = self.schedule(epoch)
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
            raise ValueError('The output of the "schedule" function should be a float. Got: '
                             f"{lr}")
        self.model.optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{float(lr)}.")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = current_learning_rate(self.model)
