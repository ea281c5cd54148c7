"""``compile()`` arguments as a config (Keras 3's ``compile_config``), and back.

Also reads tf.keras 2's ``training_config`` (legacy ``.h5``): ``"Custom>Adam"`` optimizer
names, optimizer options Keras 3 dropped, and metrics nested per output.
"""

from __future__ import annotations

from typing import Any

from cornu.saving.serialization_lib import serialize_keras_object

# Optimizer options tf.keras wrote that Keras 3 (and cornu) no longer take.
_LEGACY_OPTIMIZER_KEYS = ("jit_compile", "is_legacy_optimizer", "decay")


def get_compile_config(model: Any) -> dict | None:
    """The serialized ``compile()`` arguments of ``model``, or ``None`` if not compiled."""
    if not getattr(model, "compiled", False):
        return None
    loss = model._compile_loss
    metrics = model._compile_metrics
    return {
        "optimizer": serialize_keras_object(model.optimizer),
        "loss": serialize_keras_object(loss._loss_spec) if loss is not None else None,
        "loss_weights": serialize_keras_object(loss._weight_spec) if loss is not None else None,
        "metrics": serialize_keras_object(metrics._metric_spec) if metrics is not None else None,
        "weighted_metrics": serialize_keras_object(metrics._weighted_spec)
        if metrics is not None else None,
        "run_eagerly": model.run_eagerly,
        "steps_per_execution": getattr(model, "steps_per_execution", 1),
        "jit_compile": model.jit_compile,
    }


def _optimizer(config: Any) -> Any:
    from cornu import optimizers

    if isinstance(config, dict):
        config = dict(config)
        name = config.get("class_name")
        if isinstance(name, str) and name.startswith("Custom>"):
            # tf.keras 2.11+ registered its new optimizers as "Custom>Adam".
            config["class_name"] = name[len("Custom>"):]
            config["registered_name"] = None
        inner = config.get("config")
        if isinstance(inner, dict):
            config["config"] = {k: v for k, v in inner.items() if k not in _LEGACY_OPTIMIZER_KEYS}
    return optimizers.get(config) if isinstance(config, str) else optimizers.deserialize(config)


def _deserialize_entries(spec: Any, module: Any) -> Any:
    """Strings stay names; configs become objects; lists and dicts keep their shape."""
    if spec is None or isinstance(spec, str):
        return spec
    if isinstance(spec, list):
        return [_deserialize_entries(s, module) for s in spec]
    if isinstance(spec, dict) and "class_name" not in spec:
        return {k: _deserialize_entries(v, module) for k, v in spec.items()}
    if isinstance(spec, dict) and spec.get("class_name") == "MeanMetricWrapper":
        # tf.keras wrapped metric functions; the function's name is what compile() takes.
        fn = (spec.get("config") or {}).get("fn")
        if isinstance(fn, str):
            return fn
    return module.deserialize(spec)


def _legacy_metrics(spec: Any) -> Any:
    """tf.keras wrote ``metrics`` as a list per output; a single output needs one list."""
    if isinstance(spec, list) and len(spec) == 1 and isinstance(spec[0], list):
        return spec[0]
    return spec


def compile_from_config(model: Any, config: dict) -> None:
    """Calls ``model.compile`` with the arguments in ``config`` (Keras 3's or tf.keras's)."""
    from cornu import losses, metrics

    if not isinstance(config, dict):
        raise ValueError(f"A compile config must be a dict. Received: {str(config)[:200]}")
    optimizer_config = config.get("optimizer", config.get("optimizer_config"))
    model.compile(
        optimizer=_optimizer(optimizer_config) if optimizer_config is not None else "rmsprop",
        loss=_deserialize_entries(config.get("loss"), losses),
        loss_weights=config.get("loss_weights"),
        metrics=_deserialize_entries(_legacy_metrics(config.get("metrics")), metrics),
        weighted_metrics=_deserialize_entries(_legacy_metrics(config.get("weighted_metrics")),
                                              metrics),
        run_eagerly=bool(config.get("run_eagerly") or False),
        jit_compile=config.get("jit_compile") is True,
    )


def build_optimizer_if_needed(model: Any, saved_state: Any) -> None:
    """Creates the optimizer's slots when the file holds optimizer state to load into them."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or getattr(optimizer, "built", False):
        return
    # An optimizer saved before its first step holds only its counters.
    if saved_state is None or len(saved_state) <= len(optimizer.variables):
        return
    optimizer.build(model.trainable_variables)
