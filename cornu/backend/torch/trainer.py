"""The torch train step: differentiate the model's loss and apply the optimizer.

``fit``/``evaluate``/``predict`` live once in ``cornu.training``, which hands this module
the model; the model supplies the backend-neutral pieces (``_forward_and_loss``,
``optimizer.apply``, ``_update_compiled_metrics``) and this module supplies what only the
backend can: gradients, and compiling a whole step into one program. Nothing here imports
``cornu.training``: a step returns nothing, the caller reads the metrics.
"""

from __future__ import annotations

import re
import types
import warnings
from typing import Any, Callable

import torch
import torch._dynamo
from torch._dynamo.utils import counters


def train_step(model: Any, x: Any, y: Any, sample_weight: Any, variables: list | None = None,
               ) -> None:
    """One optimization step: forward, loss, gradients, optimizer update, metrics."""
    variables = model.trainable_weights if variables is None else variables
    y_pred, loss = model._forward_and_loss(x, y, sample_weight)
    if variables and loss.requires_grad:
        grads = torch.autograd.grad(loss, variables, allow_unused=True)
        model.optimizer.apply(list(grads), variables)
    model._update_compiled_metrics(y, y_pred, sample_weight)


def make_train_function(model: Any, jit_compile: bool = False) -> Callable:
    """The default train step with the trainable variables looked up once. With
    ``jit_compile`` the whole step (forward, loss, backward, optimizer and metric updates)
    is one ``torch.compile`` program: dynamo traces ``torch.autograd.grad`` and
    AOTAutograd functionalizes the in-place variable updates, so the compiled program is
    the pure function (state, batch) -> new state, written back in place."""
    variables = model.trainable_weights

    def step(x, y, sample_weight):
        train_step(model, x, y, sample_weight, variables)

    return compile_function(step, name=f"train step of model '{model.name}'", model=model) \
        if jit_compile else step


def compile_function(fn: Callable, name: str | None = None, model: Any = None) -> Callable:
    """``torch.compile(fn)``, run with dynamo tracing ``torch.autograd.grad``.

    * The first call runs eagerly: it builds what is built lazily (optimizer slots, compiled
      metrics), so the compiled program only updates state.
    * A graph break (Python side effects, data-dependent control flow) does not stop the
      step: it runs compiled in pieces, and one warning names the construct and, when it
      can be found, the layer.
    * If compiling fails, one warning names the reason and ``fn`` runs eagerly from then on.
    * A new input shape compiles once more (e.g. a partial last batch); shapes are not
      padded.
    """
    own = _own_code(fn)  # its own dynamo cache, so many models don't share a cache limit
    compiled = torch.compile(own, dynamic=False)
    state = {"eager": False, "calls": 0}
    what = name or "step"

    def run(*args, **kwargs):
        state["calls"] += 1
        if state["eager"] or state["calls"] == 1:
            return fn(*args, **kwargs)
        before = dict(counters["graph_break"]) if state["calls"] == 2 else None
        try:
            with torch._dynamo.config.patch(trace_autograd_ops=True):
                out = compiled(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - any compiler failure falls back to eager
            state["eager"] = True
            first = str(error).splitlines()[0] if str(error) else ""
            breaks = _new_breaks(before or {}, model)
            cause = f"graph break: {breaks}; then " if breaks else ""
            warnings.warn(f"jit_compile=True: could not compile the {what} ({cause}"
                          f"{type(error).__name__}: {first}); running it eagerly instead.",
                          stacklevel=2)
            return fn(*args, **kwargs)
        if before is not None:
            _warn_graph_breaks(what, before, model)
        return out

    return run


def _own_code(fn: Callable) -> Callable:
    return types.FunctionType(fn.__code__.replace(), fn.__globals__, fn.__name__,
                              fn.__defaults__, fn.__closure__)


def _new_breaks(before: dict, model: Any) -> str:
    new = [reason for reason, count in counters["graph_break"].items()
           if count > before.get(reason, 0)]
    return "; ".join(_describe_break(reason, model) for reason in new)


def _warn_graph_breaks(what: str, before: dict, model: Any) -> None:
    described = _new_breaks(before, model)
    if described:
        warnings.warn(f"jit_compile=True: the {what} compiles with graph breaks and runs as "
                      f"several compiled pieces: {described}", stacklevel=3)


_WHERE = re.compile(r'File "([^"]+)", line (\d+), in (\w+)')


def _describe_break(reason: str, model: Any) -> str:
    text = reason.splitlines()[0]
    where = _WHERE.search(reason)
    if where is None:
        return text
    filename, line, function = where.group(1), int(where.group(2)), where.group(3)
    for layer in (model._flatten_layers() if model is not None else ()):
        code = getattr(type(layer).call, "__code__", None)
        if code is not None and code.co_filename == filename and \
                code.co_firstlineno <= line <= max(l for _, _, l in code.co_lines() if l):
            return f"{text} in layer '{layer.name}' ({type(layer).__name__}.call, line {line})"
    return f"{text} ({function}, {filename}:{line})"


def graph_breaks(fn: Callable, *args: Any) -> list[str]:
    """The reasons torch.compile would split ``fn`` into several graphs (empty: one graph)."""
    with torch._dynamo.config.patch(trace_autograd_ops=True):
        explanation = torch._dynamo.explain(_own_code(fn))(*args)
    return [str(b.reason).splitlines()[0] for b in explanation.break_reasons]
