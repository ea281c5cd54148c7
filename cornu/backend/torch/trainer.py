"""The torch train step: forward, loss, gradients, optimizer update.

``fit``/``evaluate``/``predict`` live once in ``cornu.training``; this is the one piece
they need from the backend.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import torch


def train_step(model: Any, data: Any) -> Any:
    """One optimization step of ``model`` on ``data`` = (x, y, sample_weight)."""
    from cornu.training.data_adapter import unpack_x_y_sample_weight
    from cornu.training.trainer import MetricsLogs

    x, y, sample_weight = unpack_x_y_sample_weight(data)
    y_pred = model(x, training=True)
    loss = model.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                              training=True)
    model._track_loss(loss, x)
    variables = model.trainable_weights
    if variables and loss.requires_grad:
        grads = torch.autograd.grad(loss, variables, allow_unused=True)
        model.optimizer.apply(list(grads), variables)
    model._update_compiled_metrics(y, y_pred, sample_weight)
    return MetricsLogs(model)


def compile_step(step: Callable) -> Callable:
    """``torch.compile`` of a step function; falls back to eager, with one warning, if
    compilation fails."""
    compiled = torch.compile(step)
    state = {"fn": compiled}

    def run(data):
        try:
            return state["fn"](data)
        except Exception as error:  # noqa: BLE001 - any compiler failure falls back to eager
            if state["fn"] is step:
                raise
            warnings.warn(f"jit_compile=True: torch.compile failed ({type(error).__name__}: "
                          f"{error}); continuing without compilation.", stacklevel=2)
            state["fn"] = step
            return step(data)

    return run
