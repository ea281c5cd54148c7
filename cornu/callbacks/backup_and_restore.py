"""``BackupAndRestore``: resume an interrupted ``fit`` where it stopped, with the same
results as a run that was never interrupted."""

from __future__ import annotations

import json
import os
import random
from typing import Any

import numpy as np

from cornu import backend, ops
from cornu.callbacks.callback import Callback
from cornu.callbacks.model_checkpoint import atomic_write

_FORMAT = "cornu.backup_and_restore/1"


def _seed_generators(model: Any) -> list:
    """The layers' ``SeedGenerator`` objects, in a fixed order (layers, then creation)."""
    return [g for layer in model._flatten_layers() for g in layer._seed_generators]


def _numpy_state_to_arrays(state: tuple, prefix: str, arrays: dict, meta: dict) -> None:
    name, keys, pos, has_gauss, cached = state
    arrays[prefix] = np.asarray(keys, dtype=np.uint32)
    meta[prefix] = [name, int(pos), int(has_gauss), float(cached)]


def _numpy_state_from_arrays(prefix: str, arrays: Any, meta: dict) -> tuple:
    name, pos, has_gauss, cached = meta[prefix]
    return name, np.asarray(arrays[prefix], dtype=np.uint32), pos, has_gauss, cached


class BackupAndRestore(Callback):
    """Backs up the training state to ``backup_dir`` and restores it when ``fit`` starts
    again after an interruption (a crash, a kill, a pre-empted machine).

    The state is the model's weights, the optimizer's variables, the epoch and batch
    reached, the metrics accumulated in that epoch and the random generators (Python,
    NumPy, the backend's global and the layers' seed generators). A resumed ``fit``
    continues at the epoch *and batch* it reached, drawing the same shuffled order, so its
    final weights equal those of an uninterrupted run bit for bit (given the same data
    and a deterministic backend). Files are written atomically: a kill while saving
    leaves the previous backup whole. The backup is deleted when ``fit`` completes.

    Args:
        backup_dir: the directory for the backup; use it for nothing else.
        save_freq: ``"epoch"`` (at each epoch end), a number of batches, or ``False``
            (never back up, only restore).
        double_checkpoint: also keep the previous backup, used if the latest cannot be
            read.
        delete_checkpoint: delete the backup when training completes.

    Example:
        >>> backup = BackupAndRestore(backup_dir="/tmp/backup", save_freq=100)
        >>> model.fit(x, y, epochs=10, callbacks=[backup])  # re-run after a crash
    """

    def __init__(self, backup_dir: Any, save_freq: Any = "epoch",
                 double_checkpoint: bool = False, delete_checkpoint: bool = True) -> None:
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq not in ("epoch", False) and (isinstance(save_freq, bool) or
                                                  not isinstance(save_freq, int) or
                                                  save_freq < 1):
            raise ValueError("Invalid value for argument `save_freq`. Expected 'epoch', a "
                             f"positive integer or False. Received: save_freq={save_freq}")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._path = os.path.join(self.backup_dir, "training_state.npz")
        self._previous_path = os.path.join(self.backup_dir, "training_state.previous.npz")
        self._batches_seen_since_last_saving = 0
        self._current_epoch = 0
        self._epoch_numpy_state: tuple | None = None
        self._pending_metrics: dict | None = None
        if isinstance(save_freq, int) and not isinstance(save_freq, bool):
            self.on_train_batch_end = self._on_train_batch_end

    # --- hooks --------------------------------------------------------------------------------
    def on_train_begin(self, logs: dict | None = None) -> None:
        self._batches_seen_since_last_saving = 0
        for path in (self._path, self._previous_path):
            if os.path.exists(path):
                try:
                    self._restore(path)
                    return
                except (OSError, ValueError, KeyError) as error:
                    if not self.double_checkpoint or path == self._previous_path:
                        raise ValueError(f"BackupAndRestore could not restore from {path!r}: "
                                         f"{error}") from error

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._current_epoch = epoch
        # The order of this epoch's batches is drawn next, from NumPy's generator.
        self._epoch_numpy_state = np.random.get_state()
        if self._pending_metrics is not None:
            _set_metrics_state(self.model, self._pending_metrics)
            self._pending_metrics = None

    def _on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._batches_seen_since_last_saving += 1
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            self._save(self._current_epoch, batch + 1)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch + 1, 0)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.delete_checkpoint:
            for path in (self._path, self._previous_path):
                if os.path.exists(path):
                    os.remove(path)

    # --- saving -------------------------------------------------------------------------------
    def _save(self, epoch: int, step: int) -> None:
        """Saves the state of a run about to start batch ``step`` of epoch ``epoch``."""
        model = self.model
        arrays: dict = {}
        meta: dict = {"format": _FORMAT, "epoch": epoch, "step": step}
        for i, w in enumerate(model.weights):
            arrays[f"weight_{i}"] = ops.convert_to_numpy(w)
        optimizer = getattr(model, "optimizer", None)
        opt_vars = optimizer.variables if optimizer is not None and optimizer.built else []
        for i, v in enumerate(opt_vars):
            arrays[f"optimizer_{i}"] = ops.convert_to_numpy(v)
        meta.update(weights=len(model.weights), optimizer=len(opt_vars))
        metrics = _metrics_state(model) if step else {}
        meta["metrics"] = {name: len(values) for name, values in metrics.items()}
        for name, values in metrics.items():
            for i, value in enumerate(values):
                arrays[f"metric_{name}_{i}"] = value
        for i, state in enumerate(backend.random.get_global_state()):
            arrays[f"backend_rng_{i}"] = state
        meta["backend_rng"] = len(backend.random.get_global_state())
        generators = _seed_generators(model)
        for i, gen in enumerate(generators):
            arrays[f"seed_generator_{i}"] = gen.state.numpy()
        meta["seed_generators"] = len(generators)
        _numpy_state_to_arrays(np.random.get_state(), "numpy_rng", arrays, meta)
        if step and self._epoch_numpy_state is not None:
            _numpy_state_to_arrays(self._epoch_numpy_state, "numpy_rng_epoch", arrays, meta)
        version, internal, gauss = random.getstate()
        arrays["python_rng"] = np.asarray(internal, dtype=np.uint64)
        meta["python_rng"] = [version, gauss]
        arrays["meta"] = np.asarray(json.dumps(meta))

        def write(path: str) -> None:
            with open(path, "wb") as f:
                np.savez(f, **arrays)
                f.flush()
                os.fsync(f.fileno())

        if self.double_checkpoint and os.path.exists(self._path):
            os.replace(self._path, self._previous_path)
        atomic_write(self._path, write)

    # --- restoring ----------------------------------------------------------------------------
    def _restore(self, path: str) -> None:
        model = self.model
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        meta = json.loads(str(arrays["meta"]))
        if meta.get("format") != _FORMAT:
            raise ValueError(f"not a BackupAndRestore file (format {meta.get('format')!r}).")
        weights = model.weights
        if meta["weights"] != len(weights):
            raise ValueError(f"the backup holds {meta['weights']} weights but the model has "
                             f"{len(weights)}. Build the model (call it once or use "
                             "model.build) before fit, with the architecture of the run that "
                             "was backed up.")
        for i, w in enumerate(weights):
            w.assign(arrays[f"weight_{i}"])
        optimizer = getattr(model, "optimizer", None)
        if meta["optimizer"]:
            if not optimizer.built:
                optimizer.build(model.trainable_weights)
            if len(optimizer.variables) != meta["optimizer"]:
                raise ValueError(f"the backup holds {meta['optimizer']} optimizer variables "
                                 f"but the optimizer has {len(optimizer.variables)}.")
            for i, v in enumerate(optimizer.variables):
                v.assign(arrays[f"optimizer_{i}"])
        backend.random.set_global_state(
            [arrays[f"backend_rng_{i}"] for i in range(meta["backend_rng"])])
        generators = _seed_generators(model)
        for i, gen in enumerate(generators[:meta["seed_generators"]]):
            gen.state.assign(arrays[f"seed_generator_{i}"])
        version, gauss = meta["python_rng"]
        random.setstate((version, tuple(int(v) for v in arrays["python_rng"]), gauss))
        epoch, step = meta["epoch"], meta["step"]
        if step:
            # Mid-epoch: redraw this epoch's batch order, skip the batches already done,
            # and carry on with the metrics accumulated so far.
            np.random.set_state(_numpy_state_from_arrays("numpy_rng_epoch", arrays, meta))
            self._pending_metrics = {
                name: [arrays[f"metric_{name}_{i}"] for i in range(count)]
                for name, count in meta["metrics"].items()}
        else:
            np.random.set_state(_numpy_state_from_arrays("numpy_rng", arrays, meta))
        model._initial_epoch = epoch
        model._initial_step = step


def _metrics_state(model: Any) -> dict:
    """The variables of the model's metrics, by metric name (containers as one entry)."""
    state = {}
    for metric in model.metrics:
        state[metric.name] = [ops.convert_to_numpy(v) for v in metric.variables]
    compile_loss = getattr(model, "_compile_loss", None)
    if compile_loss is not None and compile_loss.built:
        state["compile_loss"] = [ops.convert_to_numpy(v) for v in compile_loss.variables]
    return state


def _set_metrics_state(model: Any, state: dict) -> None:
    containers = {"compile_metrics": getattr(model, "_compile_metrics", None),
                  "compile_loss": getattr(model, "_compile_loss", None)}
    by_name = {m.name: m for m in model.metrics}
    for name, values in state.items():
        container = containers.get(name)
        if container is not None:
            container.set_state(values)  # applied after its build if not built yet
            continue
        metric = by_name.get(name)
        if metric is None or metric in containers.values():
            continue
        for variable, value in zip(metric.variables, values):
            variable.assign(value)
