"""``CallbackList``: dispatches each hook to a list of callbacks."""

from __future__ import annotations

from typing import Any

from cornu.callbacks.callback import Callback
from cornu.callbacks.history import History
from cornu.callbacks.progbar_logger import ProgbarLogger

_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
                "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end",
                "on_batch_begin", "on_batch_end")


def _overrides(callback: Callback, hook: str) -> bool:
    # A hook set on the instance counts too (LambdaCallback, batch-frequency callbacks).
    return hook in vars(callback) or getattr(type(callback), hook) is not getattr(Callback, hook)


class CallbackList(Callback):
    """Calls every hook on each callback in order.

    Batch hooks are dispatched only to callbacks that define them, so a fit with the
    default callbacks does no per-batch callback work.

    Args:
        callbacks: the user's callbacks.
        add_history: append a ``History`` (fit does).
        add_progbar: append a ``ProgbarLogger`` (when verbose).
        model: the model the callbacks see as ``self.model``.
        **params: ``verbose``, ``epochs``, ``steps`` for ``self.params``.
    """

    def __init__(self, callbacks: list | None = None, add_history: bool = False,
                 add_progbar: bool = False, model: Any = None, **params: Any) -> None:
        super().__init__()
        self.callbacks = list(callbacks or [])
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(f"Callbacks must be instances of cornu.callbacks.Callback. "
                                f"Received: {callback!r}")
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        if add_history and not any(isinstance(c, History) for c in self.callbacks):
            self.callbacks.append(History())
        self._batch_targets = {
            hook: [c for c in self.callbacks if _overrides(c, hook) or (
                hook.startswith("on_train_batch") and _overrides(c, hook.replace("_train", "")))]
            for hook in _BATCH_HOOKS}
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)

    @property
    def history(self) -> History | None:
        return next((c for c in self.callbacks if isinstance(c, History)), None)

    def needs_batch_logs(self, hook: str) -> bool:
        return bool(self._batch_targets[hook])

    def batch_logs(self, hook: str, logs: Any, to_host: Any) -> Any:
        """The logs to pass to ``hook``: ``None`` when no callback listens, the lazy device
        logs when every listener reads them only now and then, else ``to_host(logs)``."""
        targets = self._batch_targets[hook]
        if not targets:
            return None
        if all(callback.reads_device_logs for callback in targets):
            return logs
        return to_host(logs)

    def set_model(self, model: Any) -> None:
        super().set_model(model)
        for callback in self.callbacks:
            callback.set_model(model)

    def set_params(self, params: dict) -> None:
        super().set_params(params)
        for callback in self.callbacks:
            callback.set_params(params)

    def _call(self, hook: str, *args: Any) -> None:
        # As in Keras, callbacks receive a dict (never None) that they may add to.
        args = args[:-1] + ({} if args[-1] is None else args[-1],)
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def _call_batch(self, hook: str, batch: int, logs: Any) -> None:
        targets = self._batch_targets[hook]
        if targets:
            logs = {} if logs is None else logs
            for callback in targets:
                getattr(callback, hook)(batch, logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call_batch("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call_batch("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call_batch("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call_batch("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call_batch("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call_batch("on_predict_batch_end", batch, logs)
