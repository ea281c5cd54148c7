"""``MonitorCallback``: the shared logic of callbacks that watch one logged quantity
(``EarlyStopping``, ``ModelCheckpoint``, ``ReduceLROnPlateau``)."""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from cornu.callbacks.callback import Callback

# Metric names whose larger values are better, for mode="auto".
_MAXIMIZED = ("acc", "accuracy", "auc", "precision", "recall", "f1", "fbeta", "iou",
              "r2", "cosine_similarity", "true_positives", "true_negatives")


def _direction(model: Any, monitor: str) -> str | None:
    """"up", "down" or None for a monitored name, from the model's metrics or the name."""
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if name == "loss" or name.endswith("_loss"):
        return "down"
    for metric in _all_metrics(model):
        if metric.name == name or name.endswith("_" + metric.name):
            direction = getattr(metric, "_direction", None)
            if direction in ("up", "down"):
                return direction
    lowered = name.lower()
    if any(lowered == k or lowered.endswith("_" + k) or lowered.startswith(k) for k in _MAXIMIZED):
        return "up"
    if any(k in lowered for k in ("error", "loss", "crossentropy", "hinge", "divergence",
                                  "mse", "mae", "mape", "msle", "poisson", "logcosh")):
        return "down"
    return None


def _all_metrics(model: Any) -> list:
    out = []
    for metric in getattr(model, "metrics", None) or []:
        out.extend(getattr(metric, "metrics", None) or [metric])
    return out


class MonitorCallback(Callback):
    """Resolves ``mode`` and decides whether a value improves on a reference.

    Args:
        monitor: the log key to watch, e.g. ``"val_loss"``.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (inferred from the metric's name).
        baseline: a value the monitored quantity must improve on.
        min_delta: the smallest change that counts as an improvement.
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", baseline: Any = None,
                 min_delta: float = 0.0) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto "
                          "mode.", stacklevel=3)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op: Callable | None = None

    def _set_monitor_op(self) -> None:
        if self.mode == "min":
            self.monitor_op = np.less
        elif self.mode == "max":
            self.monitor_op = np.greater
        else:
            direction = _direction(self.model, self.monitor)
            if direction is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but "
                    "cornu isn't able to automatically determine whether that metric should "
                    "be maximized or minimized. Pass `mode='max'` in order to monitor based "
                    "on the highest metric value, or pass `mode='min'` in order to use the "
                    "lowest value.")
            self.monitor_op = np.greater if direction == "up" else np.less
        if self.monitor_op is np.less:
            self.min_delta = -abs(self.min_delta)
        else:
            self.min_delta = abs(self.min_delta)

    def _is_improvement(self, value: Any, reference: Any) -> bool:
        if reference is None:
            return True
        return bool(self.monitor_op(value - self.min_delta, reference))

    def _monitored_value(self, logs: dict | None, message: str) -> Any:
        """``logs[monitor]``, or None with a warning that names the available keys."""
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(f"{message} Available metrics are: {','.join(sorted(logs or {}))}",
                          stacklevel=3)
        return value
