"""The torch train step: forward, loss, gradients, optimizer update.

``fit``/``evaluate``/``predict`` live once in ``cornu.training``; this is the one piece
they need from the backend.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import torch


def _forward_and_loss(model: Any, x: Any, y: Any, sample_weight: Any) -> tuple:
    y_pred = model(x, training=True)
    loss = model.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                              training=True)
    return y_pred, loss


def _step(model: Any, data: Any, forward: Callable, variables: list) -> Any:
    from cornu.training.data_adapter import unpack_x_y_sample_weight
    from cornu.training.trainer import MetricsLogs

    x, y, sample_weight = unpack_x_y_sample_weight(data)
    y_pred, loss = forward(model, x, y, sample_weight)
    model._track_loss(loss, x)
    if variables and loss.requires_grad:
        grads = torch.autograd.grad(loss, variables, allow_unused=True)
        model.optimizer.apply(list(grads), variables)
    model._update_compiled_metrics(y, y_pred, sample_weight)
    return MetricsLogs(model)


def train_step(model: Any, data: Any) -> Any:
    """One optimization step of ``model`` on ``data`` = (x, y, sample_weight)."""
    return _step(model, data, _forward_and_loss, model.trainable_weights)


def make_train_function(model: Any, jit_compile: bool = False) -> Callable:
    """The default train step with the trainable variables looked up once; with
    ``jit_compile`` the forward pass and loss (and so their backward pass) run compiled,
    while the optimizer's multi-tensor update stays eager."""
    variables = model.trainable_weights
    forward = compile_function(_forward_and_loss) if jit_compile else _forward_and_loss

    def step(data):
        return _step(model, data, forward, variables)

    return step


def compile_function(fn: Callable) -> Callable:
    """``torch.compile(fn)``; if compiling fails, warns once and runs ``fn`` eagerly."""
    state = {"fn": torch.compile(fn)}

    def run(*args, **kwargs):
        try:
            return state["fn"](*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - any compiler failure falls back to eager
            if state["fn"] is fn:
                raise
            warnings.warn(f"jit_compile=True: torch.compile failed ({type(error).__name__}: "
                          f"{error}); continuing without compilation.", stacklevel=2)
            state["fn"] = fn
            return fn(*args, **kwargs)

    return run
