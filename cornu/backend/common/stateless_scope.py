"""``StatelessScope``: run layers, optimizers and metrics as pure functions of their state.

Inside a scope, every variable named in ``state_mapping`` reads as its mapped value, and
every ``assign`` is recorded in the scope instead of changing the variable; after the
block the variables hold what they held before, and ``get_current_value`` gives the values
the block computed. This is Keras 3's ``keras.StatelessScope``.

How a backend makes variables read as their scope values is the backend's business
(``bind``/``unbind``/``current_value``/``assign`` in the backend's ``stateless`` module);
this module only keeps the books, so every backend shares it.

Example:
    >>> layer = cornu.layers.Dense(2, kernel_initializer="ones")
    >>> layer.build((None, 3))
    >>> kernel = cornu.ops.zeros((3, 2))
    >>> with cornu.StatelessScope(state_mapping=[(layer.kernel, kernel)]):
    ...     out = layer(cornu.ops.ones((1, 3)))
    >>> cornu.ops.convert_to_numpy(out).tolist()
    [[0.0, 0.0]]
"""

from __future__ import annotations

import threading
from typing import Any, Iterable

_LOCAL = threading.local()


def _stack() -> list:
    stack = getattr(_LOCAL, "stack", None)
    if stack is None:
        stack = _LOCAL.stack = []
    return stack


class StatelessScope:
    """A block in which variables read their mapped values and writes are recorded.

    Args:
        state_mapping: ``[(variable, value), ...]``: what each variable reads as.
        collect_losses: record ``add_loss`` calls in ``scope.losses`` instead of on layers.
        initialize_variables: kept for Keras compatibility (cornu variables are always
            initialized when created).
    """

    def __init__(self, state_mapping: Iterable | None = None, collect_losses: bool = False,
                 initialize_variables: bool = True) -> None:
        from cornu import backend

        self.collect_losses = collect_losses
        self.initialize_variables = initialize_variables
        self.losses: list = []
        self._mapping: dict[int, tuple[Any, Any]] = {}
        for variable, value in state_mapping or ():
            if not isinstance(variable, backend.Variable):
                raise ValueError("Invalid reference variable in StatelessScope: all keys in "
                                 "argument `state_mapping` must be Variable instances. "
                                 f"Received instead: {variable!r}")
            value = backend.convert_to_tensor(value, dtype=backend.standardize_dtype(
                variable.dtype))
            if tuple(value.shape) != tuple(variable.shape):
                raise ValueError("Invalid value for variable in StatelessScope: all values in "
                                 "argument `state_mapping` must be tensors with a shape that "
                                 f"matches the corresponding variable shape. For variable "
                                 f"{variable.path}, received invalid value of shape "
                                 f"{tuple(value.shape)}; expected shape {tuple(variable.shape)}.")
            self._mapping[id(variable)] = (variable, value)
        self._updates: dict[int, tuple[Any, Any]] = {}
        self._final: dict[int, Any] = {}
        self._active = False
        self.backend_state: Any = None  # what the backend's bind() needs to undo

    # --- the books ----------------------------------------------------------------------------
    def mapped(self) -> list:
        """``[(variable, value), ...]`` as given in ``state_mapping``."""
        return list(self._mapping.values())

    def add_update(self, update: tuple) -> None:
        """Records ``variable <- value`` (what ``variable.assign(value)`` does in the scope)."""
        variable, value = update
        self._updates[id(variable)] = (variable, value)

    def add_loss(self, loss: Any) -> None:
        self.losses.append(loss)

    def get_current_value(self, variable: Any) -> Any:
        """The value ``variable`` has in this scope: what the block assigned, else the
        mapped value; ``None`` for a variable the scope never saw."""
        key = id(variable)
        if key in self._final:
            return self._final[key]
        if self._active:
            from cornu import backend

            current = backend.stateless.current_value(self, variable)
            if current is not None:
                return current
        if key in self._updates:
            return self._updates[key][1]
        if key in self._mapping:
            return self._mapping[key][1]
        return None

    # --- activation ---------------------------------------------------------------------------
    def __enter__(self) -> "StatelessScope":
        _stack().append(self)
        self._active = True
        from cornu import backend

        try:
            backend.stateless.bind(self)
        except BaseException:
            self._active = False
            _stack().pop()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        from cornu import backend

        try:
            self._final.update(backend.stateless.unbind(self))
        finally:
            self._active = False
            _stack().pop()


def in_stateless_scope() -> bool:
    """Whether a :class:`StatelessScope` is active in this thread."""
    return bool(getattr(_LOCAL, "stack", None))


def get_stateless_scope() -> StatelessScope | None:
    """The innermost active :class:`StatelessScope`, or ``None``."""
    stack = getattr(_LOCAL, "stack", None)
    return stack[-1] if stack else None
