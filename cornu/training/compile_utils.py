"""What ``compile(loss=..., metrics=...)`` turns into: a loss and metrics per output."""

from __future__ import annotations

from typing import Any

from cornu import losses as losses_module
from cornu import metrics as metrics_module
from cornu import ops
from cornu.core import tree
from cornu.losses.loss import Loss, LossFunctionWrapper

_BINARY_LOSSES = ("binary_crossentropy", "BinaryCrossentropy", "binary_focal_crossentropy",
                  "BinaryFocalCrossentropy")


def _as_list(structure: Any, output_names: list, what: str) -> list:
    """One entry per model output, from a single spec, a list, or a dict by output name."""
    n = len(output_names)
    if isinstance(structure, dict):
        unknown = sorted(set(structure) - set(output_names))
        if unknown:
            raise ValueError(f"`{what}` has keys {unknown} that are not model outputs; the "
                             f"outputs are {output_names}.")
        return [structure.get(name) for name in output_names]
    if isinstance(structure, (list, tuple)) and n > 1:
        if len(structure) != n:
            raise ValueError(f"`{what}` has {len(structure)} entries but the model has {n} "
                             f"outputs {output_names}.")
        return list(structure)
    return [structure] * n


def _match_targets(y_true: Any, y_pred: Any, output_names: list) -> tuple[list, list]:
    flat_pred = tree.flatten(y_pred)
    if isinstance(y_true, dict) and not isinstance(y_pred, dict):
        missing = [n for n in output_names if n not in y_true]
        if missing:
            raise ValueError(f"The labels dict is missing outputs {missing}; it has keys "
                             f"{sorted(y_true)}.")
        flat_true = [y_true[n] for n in output_names]
    else:
        flat_true = tree.flatten(y_true)
    if len(flat_true) != len(flat_pred):
        raise ValueError(f"The model has {len(flat_pred)} output(s) but received "
                         f"{len(flat_true)} label array(s).")
    return flat_true, flat_pred


def _set_state(container: Any, values: list) -> None:
    container._pending_state = list(values)
    if container.built:
        _apply_pending_state(container)


def _apply_pending_state(container: Any) -> None:
    values, container._pending_state = container._pending_state, None
    if values is None:
        return
    variables = container.variables
    if len(values) != len(variables):
        raise ValueError(f"Cannot restore {type(container).__name__}: the saved state has "
                         f"{len(values)} variables, the compiled metrics have "
                         f"{len(variables)}. Was the model compiled differently?")
    for variable, value in zip(variables, values):
        variable.assign(value)


def resolve_loss(identifier: Any) -> Any:
    if identifier is None:
        return None
    loss = losses_module.get(identifier)
    if isinstance(loss, Loss):
        return loss
    return LossFunctionWrapper(loss, name=identifier if isinstance(identifier, str) else None)


class CompileLoss:
    """The compiled loss: per-output losses, weighted and summed."""

    def __init__(self, loss: Any, loss_weights: Any = None) -> None:
        self._loss_spec = loss
        self._weight_spec = loss_weights
        self.losses: list = []
        self.weights: list = []
        self.output_names: list = []
        # With several outputs, one ``<output>_loss`` tracker per output (as Keras 3 logs).
        self.metrics: list = []
        self._pending_state: list | None = None
        self.built = False

    def build(self, y_true: Any, y_pred: Any, output_names: list) -> None:
        n = len(tree.flatten(y_pred))
        if len(output_names) != n:
            output_names = [f"output_{i}" for i in range(n)]
        self.output_names = output_names
        self.losses = [resolve_loss(spec) for spec in
                       _as_list(self._loss_spec, output_names, "loss")]
        weights = self._weight_spec if self._weight_spec is not None else 1.0
        self.weights = [1.0 if w is None else float(w) for w in
                        _as_list(weights, output_names, "loss_weights")]
        if all(loss is None for loss in self.losses):
            raise ValueError("compile(): no loss for any output. Pass `loss` to compile().")
        self.metrics = [metrics_module.Mean(name=f"{name}_loss") if loss is not None else None
                        for name, loss in zip(output_names, self.losses)] if n > 1 else []
        self.built = True
        _apply_pending_state(self)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None,
                 output_names: list | None = None) -> Any:
        if not self.built:
            self.build(y_true, y_pred, output_names or [])
        flat_true, flat_pred = _match_targets(y_true, y_pred, self.output_names)
        weights = tree.flatten(sample_weight) if sample_weight is not None else [None]
        if len(weights) == 1:
            weights = weights * len(flat_pred)
        trackers = self.metrics or [None] * len(flat_pred)
        batch_size = ops.shape(flat_pred[0])[0] if ops.shape(flat_pred[0]) else 1
        total = None
        for loss, weight, yt, yp, sw, tracker in zip(self.losses, self.weights, flat_true,
                                                     flat_pred, weights, trackers):
            if loss is None:
                continue
            value = loss(yt, yp, sample_weight=sw)
            if tracker is not None:  # the unweighted per-output loss, as Keras logs it
                tracker.update_state(value, sample_weight=batch_size)
            value = value * weight if weight != 1.0 else value
            total = value if total is None else total + value
        return total

    @property
    def tracked_metrics(self) -> list:
        return [m for m in self.metrics if m is not None]

    @property
    def variables(self) -> list:
        return [v for m in self.tracked_metrics for v in m.variables]

    def set_state(self, values: list) -> None:
        """Sets the trackers' variables now, or right after the build if not built yet
        (a run resumed by ``BackupAndRestore`` before its first step)."""
        _set_state(self, values)


def _accuracy_for(y_true: Any, y_pred: Any, loss: Any, name: str) -> metrics_module.Metric:
    """Picks binary, sparse or categorical accuracy as Keras does for ``"accuracy"``."""
    true_shape, pred_shape = ops.shape(y_true), ops.shape(y_pred)
    loss_name = getattr(getattr(loss, "fn", None), "__name__", None) or type(loss).__name__
    if pred_shape[-1:] == (1,) or loss_name in _BINARY_LOSSES:
        return metrics_module.BinaryAccuracy(name=name)
    if len(true_shape) < len(pred_shape) or (true_shape[-1:] == (1,) and pred_shape[-1] > 1):
        return metrics_module.SparseCategoricalAccuracy(name=name)
    return metrics_module.CategoricalAccuracy(name=name)


def resolve_metric(identifier: Any, y_true: Any, y_pred: Any, loss: Any) -> Any:
    if isinstance(identifier, metrics_module.Metric):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        return _accuracy_for(y_true, y_pred, loss, identifier)
    metric = metrics_module.get(identifier)
    if isinstance(metric, metrics_module.Metric):
        if isinstance(identifier, str):
            # Keras names a metric asked for by name after that name ("mse", not
            # "mean_squared_error"), so the history keys are what the user wrote.
            metric.name = identifier
        return metric
    name = identifier if isinstance(identifier, str) else getattr(metric, "__name__", "metric")
    return metrics_module.MeanMetricWrapper(metric, name=name)


class CompileMetrics(metrics_module.Metric):
    """The compiled metrics: per-output metric objects, updated on device every step.

    Like Keras 3, the container is itself a metric named ``compile_metrics`` (so
    ``model.metrics`` is ``[loss, compile_metrics, ...]``); its ``result()`` is a dict of
    the metrics it holds. It builds itself on its first ``update_state``, when it sees the
    labels and predictions (needed to resolve ``"accuracy"``).
    """

    def __init__(self, metrics: Any, weighted_metrics: Any = None,
                 output_names: list | None = None, losses: Any = None) -> None:
        super().__init__(name="compile_metrics")
        self._metric_spec = metrics
        self._weighted_spec = weighted_metrics
        self._build_output_names = list(output_names or [])
        self._compile_loss = losses
        self.metrics: list = []
        self._per_output: list = []
        self.output_names: list = []
        self._pending_state: list | None = None
        self.built = False

    @property
    def variables(self) -> list:
        return [v for m in self.metrics for v in m.variables]

    def set_state(self, values: list) -> None:
        """Sets the metrics' variables now, or right after the build (see CompileLoss)."""
        _set_state(self, values)

    def _specs(self, spec: Any, output_names: list, what: str) -> list:
        if spec is None:
            return [[] for _ in output_names]
        if isinstance(spec, dict):
            return [[s for s in tree.flatten([v]) if s is not None]
                    for v in _as_list(spec, output_names, what)]
        if isinstance(spec, (list, tuple)) and len(output_names) > 1 and any(
                isinstance(s, (list, tuple)) for s in spec):
            return [list(v or []) if isinstance(v, (list, tuple)) else [v]
                    for v in _as_list(spec, output_names, what)]
        items = list(spec) if isinstance(spec, (list, tuple)) else [spec]
        return [items for _ in output_names]

    def build(self, y_true: Any, y_pred: Any, output_names: list, losses: list) -> None:
        n = len(tree.flatten(y_pred))
        if len(output_names) != n:
            output_names = [f"output_{i}" for i in range(n)]
        self.output_names = output_names
        flat_true, flat_pred = _match_targets(y_true, y_pred, output_names)
        losses = losses or [None] * n
        plain = self._specs(self._metric_spec, output_names, "metrics")
        weighted = self._specs(self._weighted_spec, output_names, "weighted_metrics")
        self._per_output = []
        for i in range(n):
            entries = [(resolve_metric(s, flat_true[i], flat_pred[i], losses[i]), False)
                       for s in plain[i]]
            entries += [(resolve_metric(s, flat_true[i], flat_pred[i], losses[i]), True)
                        for s in weighted[i]]
            if n > 1:
                for metric, _ in entries:
                    metric.name = f"{output_names[i]}_{metric.name}"
            self._per_output.append(entries)
        self.metrics = [m for entries in self._per_output for m, _ in entries]
        self.built = True
        _apply_pending_state(self)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        if not self.built:
            loss = self._compile_loss
            losses = loss.losses if loss is not None and loss.built else []
            self.build(y_true, y_pred, self._build_output_names, losses)
        flat_true, flat_pred = _match_targets(y_true, y_pred, self.output_names)
        weights = tree.flatten(sample_weight) if sample_weight is not None else [None]
        if len(weights) == 1:
            weights = weights * len(flat_pred)
        for entries, yt, yp, sw in zip(self._per_output, flat_true, flat_pred, weights):
            for metric, weighted in entries:
                metric.update_state(yt, yp, sample_weight=sw if weighted else None)

    def result(self) -> dict:
        out = {}
        for metric in self.metrics:
            value = metric.result()
            if isinstance(value, dict):
                out.update(value)
            else:
                out[metric.name] = value
        return out

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()
