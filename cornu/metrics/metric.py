"""``Metric``: the base class of stateful metrics.

State lives in device variables; ``update_state`` only launches device ops and
``result()`` returns a device tensor, so a training loop reads a metric back to the
host only when it logs.
"""

from __future__ import annotations

from typing import Any

from cornu import backend, initializers
from cornu.core import tree
from cornu.core.naming import to_snake_case, unique_name


class Metric:
    """Base class: implement ``update_state``, ``result`` and create state with
    ``add_variable``.

    Example:
        >>> m = cornu.metrics.Mean()
        >>> m.update_state([1.0, 3.0])
        >>> float(m.result())
        2.0
    """

    def __init__(self, dtype: Any = None, name: str | None = None) -> None:
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._dtype = backend.standardize_dtype(dtype)
        self._variables: list = []

    @property
    def dtype(self) -> str:
        return self._dtype

    def add_variable(self, shape: tuple, initializer: Any = "zeros", dtype: Any = None,
                     aggregation: str = "sum", name: str | None = None) -> Any:
        variable = backend.Variable(initializers.get(initializer), shape=tuple(shape),
                                    dtype=dtype or self._dtype, trainable=False,
                                    name=name or "variable")
        variable._cornu_initializer = initializers.get(initializer)
        self._variables.append(variable)
        return variable

    def add_weight(self, shape: tuple = (), initializer: Any = None, dtype: Any = None,
                   name: str | None = None) -> Any:
        """Alias of :meth:`add_variable` (Keras's older name)."""
        return self.add_variable(shape, initializer=initializer or "zeros", dtype=dtype,
                                 name=name)

    @property
    def variables(self) -> list:
        return list(self._variables)

    def reset_state(self) -> None:
        """Returns every state variable to its initial value."""
        for v in self._variables:
            v.assign(v._cornu_initializer(tuple(v.shape), dtype=backend.dtype(v)))

    # --- stateless execution ------------------------------------------------------------------
    def _scope(self, metric_variables: Any, method: str) -> Any:
        variables = self.variables
        values = list(metric_variables)
        if len(values) != len(variables):
            raise ValueError(f"{type(self).__name__}.{method}: argument `metric_variables` must "
                             f"have {len(variables)} values (one per variable in "
                             f"`metric.variables`). Received {len(values)}.")
        return backend.StatelessScope(state_mapping=list(zip(variables, values)))

    def stateless_update_state(self, metric_variables: list, *args: Any, **kwargs: Any) -> list:
        """``update_state`` as a pure function: returns the new values of
        ``metric.variables``; the metric's own variables are unchanged."""
        with self._scope(metric_variables, "stateless_update_state") as scope:
            self.update_state(*args, **kwargs)
        return [scope.get_current_value(v) for v in self.variables]

    def stateless_result(self, metric_variables: list) -> Any:
        """``result()`` computed from the given variable values."""
        with self._scope(metric_variables, "stateless_result") as scope:
            result = self.result()
        # A result that is one of the variables must carry the scope's value out.
        return tree.map_structure(
            lambda r: scope.get_current_value(r) if isinstance(r, backend.Variable) and
            scope.get_current_value(r) is not None else r, result)

    def stateless_reset_state(self) -> list:
        """The values ``reset_state()`` would give ``metric.variables``, without setting them."""
        with backend.StatelessScope() as scope:
            self.reset_state()
        return [scope.get_current_value(v) for v in self.variables]

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement update_state().")

    def result(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement result().")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self._dtype}

    @classmethod
    def from_config(cls, config: dict) -> "Metric":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"
