"""``ModelCheckpoint``: save the model or its weights during training."""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np

from cornu.callbacks.monitor_callback import MonitorCallback


def atomic_write(filepath: str, write: Any) -> None:
    """Calls ``write(path)`` on a temporary file beside ``filepath``, then renames it into
    place: a failure (read-only directory, full disk, crash) leaves any previous file whole.

    The temporary name ends with the final file's name, so savers that choose the format
    from the extension (``.keras``, ``.weights.h5``) see the right one.
    """
    directory = os.path.dirname(os.path.abspath(filepath))
    tmp = None
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix="-" + os.path.basename(filepath),
                                   dir=directory)
        os.close(fd)
        write(tmp)
        os.replace(tmp, filepath)
        tmp = None
    except OSError as error:
        raise OSError(error.errno, f"Could not write the checkpoint {filepath!r}: "
                                   f"{error.strerror or error}. Check that the directory is "
                                   "writable and the disk has space; any previous checkpoint "
                                   "at this path is unchanged.") from error
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)


class ModelCheckpoint(MonitorCallback):
    """Saves the model (``.keras``) or its weights (``.weights.h5``) at the end of every
    epoch or every ``save_freq`` batches, optionally only when ``monitor`` improves.

    Files are written atomically (a temporary file, then a rename). ``filepath`` may hold
    named formatting options filled from the epoch (from 1), the batch and the logs, e.g.
    ``"weights.{epoch:02d}-{val_loss:.2f}.weights.h5"``.

    Args:
        filepath: where to save; ends in ``.keras`` (or the legacy ``.h5``), or in
            ``.weights.h5`` with ``save_weights_only=True``.
        monitor: the quantity compared for ``save_best_only``.
        verbose: 1 prints a message at each save.
        save_best_only: save only when ``monitor`` improves (the latest best model is
            never overwritten by a worse one when ``filepath`` has no formatting).
        save_weights_only: save only the weights (``model.save_weights``).
        mode: ``"min"``, ``"max"`` or ``"auto"``.
        save_freq: ``"epoch"`` or a number of batches.
        initial_value_threshold: the value ``monitor`` must beat for the first save.

    Example:
        >>> checkpoint = ModelCheckpoint("best.keras", monitor="val_accuracy", mode="max",
        ...                              save_best_only=True)
    """

    def __init__(self, filepath: Any, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq: Any = "epoch",
                 initial_value_threshold: float | None = None) -> None:
        super().__init__(monitor, mode)
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.best = initial_value_threshold
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        if save_freq != "epoch" and (isinstance(save_freq, bool) or
                                     not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are "
                             "'epoch' or integer values")
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError("When using `save_weights_only=True` in `ModelCheckpoint`, "
                                 "the filepath provided must end in `.weights.h5` (Keras "
                                 f"weights format). Received: filepath={self.filepath}")
        elif not self.filepath.endswith((".keras", ".h5")):
            raise ValueError("The filepath provided must end in `.keras` (Keras model "
                             f"format). Received: filepath={self.filepath}")
        if save_freq != "epoch":
            # Only a batch-frequency checkpoint needs the per-batch hook (and its logs).
            self.on_train_batch_end = self._on_train_batch_end

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.monitor_op is None and self.save_best_only:
            self._set_monitor_op()
            if self.best is None:
                self.best = np.inf if self.monitor_op is np.less else -np.inf

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._current_epoch = epoch

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, logs)

    def _should_save_on_batch(self, batch: int) -> bool:
        if batch <= self._last_batch_seen:  # a new epoch
            add_batches = batch + 1
        else:
            add_batches = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += add_batches
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _get_file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as error:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". '
                           f"Reason: {error}. Available keys: epoch, batch, "
                           f"{', '.join(sorted(logs))}") from error

    def _save_model(self, epoch: int, batch: int | None, logs: dict | None) -> None:
        logs = dict(logs or {})
        filepath = self._get_file_path(epoch, batch, logs)
        if self.save_best_only:
            current = self._monitored_value(
                logs, f"Can save best model only with {self.monitor} available.")
            if current is None:
                return
            if isinstance(current, np.ndarray):
                current = float(current)
            if not self._is_improvement(current, self.best):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                          f"{self.best:.5f}")
                return
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                      f"{current:.5f}, saving model to {filepath}")
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
        self._write(filepath)

    def _write(self, filepath: str) -> None:
        if self.save_weights_only:
            atomic_write(filepath, lambda path: self.model.save_weights(path, overwrite=True))
        else:
            atomic_write(filepath, lambda path: self.model.save(path, overwrite=True))
