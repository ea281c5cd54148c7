"""``compile``, ``fit``, ``evaluate`` and ``predict``: the one training loop.

The loop is written once, here. The backend supplies the train step (forward, loss,
gradients, optimizer update); metrics accumulate on the device and the loop reads them
back only when something is logged.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any, Iterator

import numpy as np

from cornu import backend, ops
from cornu import optimizers as optimizers_module
from cornu.callbacks.callback_list import CallbackList
from cornu.core import tree
from cornu.metrics.reduction_metrics import Mean
from cornu.training import data_adapter, interrupts
from cornu.training.compile_utils import CompileLoss, CompileMetrics
from cornu.utils.progbar import is_interactive


class MetricsLogs(Mapping):
    """The logs of a step: metric results computed only when someone reads them."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self._values: dict | None = None

    def _resolve(self) -> dict:
        if self._values is None:
            self._values = dict(sorted(self._model.get_metrics_result().items()))
        return self._values

    def __getitem__(self, key: str) -> Any:
        return self._resolve()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._resolve())

    def __len__(self) -> int:
        return len(self._resolve())


def _to_floats(logs: Any) -> dict:
    """Host values of logs, sorted by key; nested dicts (a ``compile_metrics`` result) are
    flattened."""
    out = {}
    for key, value in (logs or {}).items():
        if isinstance(value, Mapping):
            out.update(_to_floats(value))
            continue
        array = ops.convert_to_numpy(value)
        out[key] = float(array) if np.ndim(array) == 0 else array
    return dict(sorted(out.items()))  # Keras 3 logs are in sorted key order


def _resolve_verbose(verbose: Any) -> int:
    if verbose == "auto":
        return 1 if is_interactive() else 2
    return int(verbose)


class Trainer:
    """The training API mixed into ``Model``."""

    def __init__(self) -> None:
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self._compile_loss: CompileLoss | None = None
        self._compile_metrics: CompileMetrics | None = None
        self._loss_tracker: Mean | None = None
        self._run_eagerly = False
        self._jit_compile = False
        self._step_functions: dict = {}
        self.steps_per_execution = 1
        self.stop_training = False
        self.history = None

    # --- compile ------------------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None,
                metrics: Any = None, weighted_metrics: Any = None, run_eagerly: bool = False,
                steps_per_execution: int = 1, jit_compile: Any = "auto",
                auto_scale_loss: bool = True) -> None:
        """Configures the model for training.

        Args:
            optimizer: an optimizer name (``"adam"``) or instance.
            loss: a loss name, function or instance; a list or dict for several outputs.
            loss_weights: weights of the per-output losses.
            metrics: metric names, functions or instances (``"accuracy"`` resolves to the
                binary, sparse or categorical variant from the labels and outputs).
            weighted_metrics: metrics that take ``sample_weight``/``class_weight`` into
                account.
            run_eagerly: kept for Keras compatibility; cornu's eager loop is the default.
            steps_per_execution: the number of batches each call of the step function
                runs; callbacks' batch hooks and the progress bar see one call per group.
            jit_compile: ``True`` compiles the whole train step (forward, loss, backward,
                optimizer and metric updates) with the backend's compiler
                (``torch.compile``); ``"auto"`` means eager on the torch backend, as in
                Keras.
        """
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = loss
        self._compile_loss = CompileLoss(loss, loss_weights) if loss is not None else None
        self._compile_metrics = CompileMetrics(
            metrics, weighted_metrics, output_names=self.output_names,
            losses=self._compile_loss) \
            if metrics is not None or weighted_metrics is not None else None
        self._loss_tracker = Mean(name="loss")
        if isinstance(steps_per_execution, bool) or not isinstance(steps_per_execution, int) \
                or steps_per_execution < 1:
            raise ValueError("Argument `steps_per_execution` must be an integer >= 1. "
                             f"Received: steps_per_execution={steps_per_execution!r}")
        self.steps_per_execution = steps_per_execution
        self._run_eagerly = bool(run_eagerly)
        self._jit_compile = jit_compile is True
        self._step_functions = {}
        self.compiled = True

    @property
    def run_eagerly(self) -> bool:
        return self._run_eagerly

    @property
    def jit_compile(self) -> bool:
        return self._jit_compile

    def _assert_compiled(self, what: str) -> None:
        if not self.compiled:
            raise ValueError(f"You must call `compile()` before {what}. For example: "
                             "model.compile(optimizer='adam', loss='mse').")

    # --- losses and metrics -------------------------------------------------------------------
    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None,
                     sample_weight: Any = None, training: bool = True) -> Any:
        """The compiled loss plus the model's added losses (regularization, ``add_loss``)."""
        total = None
        if self._compile_loss is not None and y is not None:
            total = self._compile_loss(y, y_pred, sample_weight,
                                       output_names=self.output_names)
        for extra in self.losses:
            total = extra if total is None else total + extra
        if total is None:
            if self._compile_loss is not None:
                raise ValueError("The model was compiled with a loss but received no labels "
                                 "`y`. Pass y to fit()/evaluate(), or yield (x, y) batches.")
            total = ops.convert_to_tensor(0.0)
        return total

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> dict:
        """Updates the compiled metrics and returns ``get_metrics_result()``."""
        self._update_compiled_metrics(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _forward_and_loss(self, x: Any, y: Any, sample_weight: Any, training: bool = True
                          ) -> tuple:
        """``y_pred`` and the loss of a training (or test) forward pass; the loss is also
        added to the loss tracker."""
        y_pred = self(x, training=training)
        kwargs = {"training": training} if _takes_training(type(self).compute_loss) else {}
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                 **kwargs)
        self._track_loss(loss, x)
        return y_pred, loss

    def _update_compiled_metrics(self, y: Any, y_pred: Any, sample_weight: Any) -> None:
        if self._compile_metrics is None or y is None:
            return
        self._compile_metrics.update_state(y, y_pred, sample_weight)

    @property
    def metrics(self) -> list:
        """As in Keras 3: the loss tracker, the ``compile_metrics`` container, then the
        per-output loss trackers of a model with several outputs.

        A subclass may override this property to list its own metric objects; the loop
        resets them at each epoch and logs their results.
        """
        out = [self._loss_tracker] if self._loss_tracker is not None else []
        if self._compile_metrics is not None:
            out.append(self._compile_metrics)
        if self._compile_loss is not None:
            out.extend(self._compile_loss.tracked_metrics)
        return out

    @property
    def metrics_names(self) -> list:
        return [m.name for m in self.metrics]

    def get_metrics_result(self) -> dict:
        """The current value of every metric, as device tensors, keyed by name."""
        out = {}
        for metric in self.metrics:
            value = metric.result()
            if isinstance(value, dict):
                out.update(value)
            else:
                out[metric.name] = value
        return out

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def _track_loss(self, loss: Any, x: Any) -> None:
        first = tree.flatten(x)[0]
        self._loss_tracker.update_state(loss, sample_weight=ops.shape(first)[0])

    # --- steps --------------------------------------------------------------------------------
    def train_step(self, data: Any) -> Mapping:
        """One optimization step on a batch; override to customize (see the guides)."""
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        backend.trainer.train_step(self, x, y, sample_weight)
        return MetricsLogs(self)

    def test_step(self, data: Any) -> Mapping:
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        y_pred, _ = self._forward_and_loss(x, y, sample_weight, training=False)
        self._update_compiled_metrics(y, y_pred, sample_weight)
        return MetricsLogs(self)

    def predict_step(self, data: Any) -> Any:
        x, _, _ = data_adapter.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _step_function(self, kind: str) -> Any:
        """The step ``fit``/``evaluate``/``predict`` run: the user's override if there is
        one (compiled whole with ``jit_compile``), else the backend's train step."""
        key = (kind, tuple(id(v) for v in self.trainable_weights)) if kind == "train" \
            else kind
        fn = self._step_functions.get(key)
        if fn is None:
            step = getattr(self, f"{kind}_step")
            if kind == "train" and type(self).train_step is Trainer.train_step:
                # Keyed by the trainable variables: freezing a layer makes a new step, a
                # new fit with the same variables reuses the compiled one.
                self._step_functions = {k: f for k, f in self._step_functions.items()
                                        if not (isinstance(k, tuple) and k[0] == "train")}
                fn = _default_train_function(self)
            elif self._jit_compile and kind != "predict":
                fn = backend.trainer.compile_function(step, name=f"{kind}_step")
            else:
                fn = step
            self._step_functions[key] = fn
        return fn

    # --- fit ----------------------------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: list | None = None,
            validation_split: float = 0.0, validation_data: Any = None, shuffle: bool = True,
            class_weight: dict | None = None, sample_weight: Any = None,
            initial_epoch: int = 0, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, validation_batch_size: int | None = None,
            validation_freq: int = 1) -> Any:
        """Trains the model; returns a ``History`` whose ``.history`` maps log names to
        per-epoch values (``loss``, metrics, ``val_loss``, ...)."""
        self._assert_compiled("training the model (fit)")
        verbose = _resolve_verbose(verbose)
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = data_adapter.train_validation_split(
                (x, y, sample_weight), validation_split)
        data = data_adapter.get_data_adapter(x, y, sample_weight, batch_size, steps_per_epoch,
                                             shuffle, class_weight)
        validation = None
        if validation_data is not None:
            val_x, val_y, val_w = data_adapter.unpack_x_y_sample_weight(validation_data)
            validation = data_adapter.get_data_adapter(
                val_x, val_y, val_w, validation_batch_size or batch_size, validation_steps)
        callbacks = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                                 model=self, verbose=verbose, epochs=epochs,
                                 steps=data.num_batches)
        train_step = self._step_function("train")
        group = self.steps_per_execution
        self.stop_training = False
        # A callback (BackupAndRestore) may move the start in on_train_begin.
        self._initial_epoch, self._initial_step = None, 0
        epoch_logs: dict = {}
        self._set_training_mode(True)
        try:
            with interrupts.StepGuard() as guard:
                callbacks.on_train_begin()
                if self._initial_epoch is not None:
                    initial_epoch = self._initial_epoch
                skip = self._initial_step
                for epoch in range(initial_epoch, epochs):
                    self.reset_metrics()
                    callbacks.on_epoch_begin(epoch)
                    logs: Any = None
                    for first, last, batches in _executions(data.enumerate(skip), group):
                        callbacks.on_train_batch_begin(first)
                        with guard:
                            for batch in batches:
                                logs = train_step(batch)
                        callbacks.on_train_batch_end(
                            last, callbacks.batch_logs("on_train_batch_end", logs, _to_floats))
                        if self.stop_training:
                            break
                    skip = 0
                    epoch_logs = _to_floats(logs if logs is not None
                                            else self.get_metrics_result())
                    if validation is not None and (epoch + 1) % validation_freq == 0:
                        val_logs = self._evaluate_adapter(validation, callbacks)
                        epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
                    callbacks.on_epoch_end(epoch, epoch_logs)
                    if self.stop_training:
                        break
        finally:
            self._set_training_mode(False)
            data.close()
            if validation is not None:
                validation.close()
        if self.optimizer is not None and self.optimizer.use_ema:
            with backend.no_grad():
                self.optimizer.finalize_variable_values(self.trainable_weights)
        callbacks.on_train_end(epoch_logs)
        return callbacks.history

    def _set_training_mode(self, mode: bool) -> None:
        # Keep torch's module flag in step with Keras's `training` argument for users who
        # inspect it; cornu's layers read `training`, never this flag.
        backend.Module.train(self, mode)

    # --- evaluate -----------------------------------------------------------------------------
    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: Any = "auto", sample_weight: Any = None, steps: int | None = None,
                 callbacks: list | None = None, return_dict: bool = False,
                 **kwargs: Any) -> Any:
        """The loss and metrics on the data: a scalar (loss only), a list in
        ``metrics_names`` order, or a dict with ``return_dict=True``."""
        self._assert_compiled("evaluating the model (evaluate)")
        verbose = _resolve_verbose(verbose)
        data = data_adapter.get_data_adapter(x, y, sample_weight, batch_size, steps)
        callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                 verbose=verbose, epochs=1, steps=data.num_batches)
        logs = self._evaluate_adapter(data, callbacks)
        if return_dict:
            return logs
        values = [logs[name] for name in self._ordered_log_names(logs)]
        return values[0] if len(values) == 1 else values

    def _ordered_log_names(self, logs: dict) -> list:
        """Keras's order for list results: the loss, the per-output losses, a single
        output's compiled metrics in compile order, then the other names sorted (the
        prefixed metric names of several outputs among them)."""
        order = [m.name for m in self.metrics if not isinstance(m, CompileMetrics)]
        compiled = self._compile_metrics
        if compiled is not None and len(compiled.output_names) <= 1:
            order[1:1] = [m.name for m in compiled.metrics]
        names = [n for n in order if n in logs]
        return names + sorted(n for n in logs if n not in names)

    def _evaluate_adapter(self, data: Any, callbacks: CallbackList) -> dict:
        test_step = self._step_function("test")
        self.reset_metrics()
        callbacks.on_test_begin()
        logs: Any = None
        with backend.no_grad():
            for step, batch in enumerate(data):
                callbacks.on_test_batch_begin(step)
                logs = test_step(batch)
                callbacks.on_test_batch_end(step, callbacks.batch_logs("on_test_batch_end", logs,
                                                                      _to_floats))
        logs = _to_floats(logs if logs is not None else self.get_metrics_result())
        callbacks.on_test_end(logs)
        return logs

    # --- predict ------------------------------------------------------------------------------
    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto",
                steps: int | None = None, callbacks: list | None = None) -> Any:
        """Predictions for ``x`` as NumPy arrays (batched; structure of the model's outputs)."""
        verbose = _resolve_verbose(verbose)
        if verbose == 0 and not callbacks and batch_size is None and steps is None and \
                data_adapter.is_array_data(x) and _batch_len(x) <= 32:
            return self.predict_on_batch(x)  # one batch: skip the batching machinery
        data = data_adapter.get_data_adapter(x, None, None, batch_size, steps)
        callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                 verbose=verbose, epochs=1, steps=data.num_batches)
        predict_step = self._step_function("predict")
        outputs = []
        callbacks.on_predict_begin()
        with backend.no_grad():
            for step, batch in enumerate(data):
                callbacks.on_predict_batch_begin(step)
                batch_out = predict_step(batch)
                outputs.append(tree.map_structure(ops.convert_to_numpy, batch_out))
                callbacks.on_predict_batch_end(step, {"outputs": batch_out}
                                               if callbacks.needs_batch_logs(
                                                   "on_predict_batch_end") else None)
        callbacks.on_predict_end()
        if not outputs:
            raise ValueError("predict() received no data: the input is empty.")
        return tree.pack_sequence_as(outputs[0], [
            np.concatenate(parts, axis=0) for parts in zip(*[tree.flatten(o) for o in outputs])])

    # --- single batches -----------------------------------------------------------------------
    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: dict | None = None, return_dict: bool = False) -> Any:
        """One training step on one batch; returns the loss and metrics."""
        self._assert_compiled("training the model (train_on_batch)")
        if class_weight is not None:
            weights = data_adapter.class_weight_to_sample_weight(y, class_weight)
            sample_weight = weights if sample_weight is None else sample_weight * weights
        batch = next(iter(data_adapter.get_data_adapter(x, y, sample_weight,
                                                        batch_size=_batch_len(x))))
        self.reset_metrics()
        self._set_training_mode(True)
        try:
            logs = self._step_function("train")(batch)
        finally:
            self._set_training_mode(False)
        return self._single_batch_result(logs, return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                      return_dict: bool = False) -> Any:
        self._assert_compiled("evaluating the model (test_on_batch)")
        batch = next(iter(data_adapter.get_data_adapter(x, y, sample_weight,
                                                        batch_size=_batch_len(x))))
        self.reset_metrics()
        with backend.no_grad():
            logs = self._step_function("test")(batch)
        return self._single_batch_result(logs, return_dict)

    def predict_on_batch(self, x: Any) -> Any:
        """Predictions for one batch, as NumPy arrays, without batching overhead."""
        with backend.no_grad():
            out = self(x, training=False)
        return tree.map_structure(ops.convert_to_numpy, out)

    def _single_batch_result(self, logs: Any, return_dict: bool) -> Any:
        logs = _to_floats(logs)
        if return_dict:
            return logs
        values = [logs[n] for n in self._ordered_log_names(logs)]
        return values[0] if len(values) == 1 else values


def _executions(batches: Iterator, size: int) -> Iterator[tuple[int, int, list]]:
    """``(first step, last step, batches)`` groups of ``size`` consecutive batches."""
    pending: list = []
    first = None
    for step, batch in batches:
        if first is None:
            first = step
        pending.append(batch)
        if len(pending) == size:
            yield first, step, pending
            pending, first = [], None
    if pending:
        yield first, first + len(pending) - 1, pending


def _default_train_function(model: Any) -> Any:
    step = backend.trainer.make_train_function(model, model._jit_compile)

    def train_function(data: Any) -> MetricsLogs:
        step(*data_adapter.unpack_x_y_sample_weight(data))
        return MetricsLogs(model)

    return train_function


_TAKES_TRAINING: dict = {}


def _takes_training(method: Any) -> bool:
    """Whether a ``compute_loss`` (maybe a user override) accepts ``training``."""
    found = _TAKES_TRAINING.get(method)
    if found is None:
        params = inspect.signature(method).parameters
        found = _TAKES_TRAINING[method] = "training" in params or any(
            p.kind is p.VAR_KEYWORD for p in params.values())
    return found


def _batch_len(x: Any) -> int:
    first = tree.flatten(x)[0]
    return int(ops.shape(first)[0]) if ops.is_tensor(first) else len(first)

