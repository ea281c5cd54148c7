"""Adagrad: per-parameter learning rates scaled by the accumulated squared gradients."""

from __future__ import annotations

from typing import Any

from cornu import initializers
from cornu.ops import foreach
from cornu.optimizers.optimizer import Optimizer


class Adagrad(Optimizer):
    """``acc += g^2``; ``w -= lr * g / sqrt(acc + epsilon)``.

    Args:
        initial_accumulator_value: the starting value of the accumulators (>= 0).
        epsilon: added inside the square root for numerical stability.
    """

    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, variables: list) -> None:
        if self.built:
            return
        super().build(variables)
        self._accumulators = self.add_optimizer_variables(
            variables, "accumulator",
            initializer=initializers.Constant(self.initial_accumulator_value))

    def update(self, grads: list, variables: list, learning_rate: Any) -> None:
        accumulators = self.slots("_accumulators", variables)
        foreach.addcmul_(accumulators, grads, grads)
        denominator = foreach.sqrt(foreach.add(accumulators, self.epsilon))
        foreach.sub_(variables, foreach.div(foreach.mul(grads, learning_rate), denominator))

    def get_config(self) -> dict:
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
