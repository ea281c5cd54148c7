"""FTRL-Proximal: follow the regularized leader, as used for large sparse linear models."""

from __future__ import annotations

from typing import Any

from cornu import initializers
from cornu.ops import foreach
from cornu.optimizers.optimizer import Optimizer


class Ftrl(Optimizer):
    """FTRL-Proximal (McMahan et al., 2013) with L1, L2 and L2-shrinkage regularization.

    Per element, with ``p = -learning_rate_power``::

        g' = g + 2 * l2_shrinkage * w
        n' = n + g^2
        z += g' - (n'^p - n^p) / lr * w
        w = (clip(z, -l1, l1) - z) / (n'^p / lr + 2 * (l2 + beta / (2 lr)))
    """

    def __init__(self, learning_rate: Any = 0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1,
                 l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0,
                 l2_shrinkage_regularization_strength: float = 0.0, beta: float = 0.0,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        checks = (("initial_accumulator_value", initial_accumulator_value),
                  ("l1_regularization_strength", l1_regularization_strength),
                  ("l2_regularization_strength", l2_regularization_strength),
                  ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength))
        for arg, value in checks:
            if value < 0.0:
                raise ValueError(f"`{arg}` needs to be positive or zero. Received: "
                                 f"{arg}={value}.")
        if learning_rate_power > 0.0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, variables: list) -> None:
        if self.built:
            return
        super().build(variables)
        self._accumulators, self._linears = self.add_optimizer_variables(
            variables, ["accumulator", "linear"],
            initializer=[initializers.Constant(self.initial_accumulator_value), "zeros"])

    def update(self, grads: list, variables: list, learning_rate: Any) -> None:
        accumulators = self.slots("_accumulators", variables)
        linears = self.slots("_linears", variables)
        power = -self.learning_rate_power
        inv_lr = 1.0 / learning_rate
        l2 = self.l2_regularization_strength + self.beta / (2.0 * learning_rate)
        shrinkage = self.l2_shrinkage_regularization_strength
        adjusted = foreach.add(grads, foreach.mul(variables, 2.0 * shrinkage)) if shrinkage \
            else grads
        new_accumulators = foreach.addcmul(accumulators, grads, grads)
        new_powered = foreach.pow(new_accumulators, power)
        sigma = foreach.mul(foreach.sub(new_powered, foreach.pow(accumulators, power)), inv_lr)
        foreach.add_(linears, foreach.sub(adjusted, foreach.mul(sigma, variables)))
        quadratic = foreach.add(foreach.mul(new_powered, inv_lr), 2.0 * l2)
        l1 = self.l1_regularization_strength
        shrunk = foreach.sub(foreach.clip(linears, -l1, l1), linears)
        foreach.copy_(variables, foreach.div(shrunk, quadratic))
        foreach.copy_(accumulators, new_accumulators)

    def get_config(self) -> dict:
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
