"""``ProgbarLogger``: prints the progress bar during fit, evaluate and predict."""

from __future__ import annotations

import time

from cornu.callbacks.callback import Callback
from cornu.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` and a progress bar; metric values are read only on redraws."""

    reads_device_logs = True

    def __init__(self) -> None:
        super().__init__()
        self.verbose = 1
        self.epochs = 1
        self.progbar: Progbar | None = None
        self._seen = 0
        self._in_fit = False

    def set_params(self, params: dict) -> None:
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)

    def _new_bar(self, target) -> None:
        self.progbar = Progbar(target, verbose=self.verbose, unit_name="step")
        self._seen = 0

    def on_train_begin(self, logs=None) -> None:
        self._in_fit = True

    def on_epoch_begin(self, epoch, logs=None) -> None:
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}", flush=True)
        self._new_bar(self.params.get("steps"))

    def on_train_batch_end(self, batch, logs=None) -> None:
        self._batch_update(batch, logs)

    def on_test_begin(self, logs=None) -> None:
        if not self._in_fit or self.progbar is None:
            self._new_bar(self.params.get("steps"))

    def on_test_batch_end(self, batch, logs=None) -> None:
        if not self._in_fit:
            self._batch_update(batch, logs)

    def on_predict_begin(self, logs=None) -> None:
        self._new_bar(self.params.get("steps"))

    def on_predict_batch_end(self, batch, logs=None) -> None:
        self._batch_update(batch, None)

    def on_epoch_end(self, epoch, logs=None) -> None:
        self._finalize(logs)

    def on_test_end(self, logs=None) -> None:
        if not self._in_fit:
            self._finalize(logs)

    def on_predict_end(self, logs=None) -> None:
        self._finalize(None)

    def on_train_end(self, logs=None) -> None:
        self._in_fit = False

    def _batch_update(self, batch: int, logs) -> None:
        self._seen = batch + 1
        bar = self.progbar
        if bar is None or self.verbose != 1 or not bar._live:
            return
        if time.time() - bar._last_draw < bar.interval:
            return
        # Logs hold running means already: show them as they are, not averaged again.
        values = dict(logs) if logs else {}
        bar.stateful_metrics |= set(values)
        bar.update(self._seen, values, finalize=False)

    def _finalize(self, logs) -> None:
        if self.progbar is None:
            return
        self.progbar.stateful_metrics = set(logs or ())
        self.progbar.update(self._seen, dict(logs) if logs else None, finalize=True)
        self.progbar = None
